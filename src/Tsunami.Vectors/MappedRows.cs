using System.IO.MemoryMappedFiles;

namespace Tsunami.Vectors;

/// <summary>
/// Float32 rows read in place from a snapshot's vector column, memory-mapped read-only: an int8 index searches on
/// its codes and reads these only to re-score its best candidates, so they need not take heap memory (Qdrant keeps
/// the originals of quantised vectors on disk the same way). A snapshot replaced by rename keeps the mapped inode.
/// </summary>
internal sealed unsafe class MappedRows : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly float* _first;

    public MappedRows(string path, long offset, int count, int dimensions)
    {
        (Count, Dimensions) = (count, dimensions);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        _file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        _view = _file.CreateViewAccessor(offset, (long)count * dimensions * sizeof(float), MemoryMappedFileAccess.Read);
        byte* start = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        _first = (float*)(start + _view.PointerOffset);
    }

    public int Count { get; }
    public int Dimensions { get; }

    public ReadOnlySpan<float> Row(int row) => new(_first + ((long)row * Dimensions), Dimensions);

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
