using System.Buffers;
using System.Runtime.InteropServices;

namespace Tsunami.Serving.Tensors;

/// <summary>
/// A float array seen as its little-endian bytes, without a copy: how an in-process caller hands the runtime a
/// tensor it already holds (a copy of a photo-sized tensor costs more than the rest of the request here).
/// </summary>
internal sealed unsafe class FloatBytes(float[] floats) : MemoryManager<byte>
{
    public override Span<byte> GetSpan() => MemoryMarshal.AsBytes(floats.AsSpan());

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        var handle = GCHandle.Alloc(floats, GCHandleType.Pinned);
        return new MemoryHandle((byte*)handle.AddrOfPinnedObject() + elementIndex, handle, this);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
