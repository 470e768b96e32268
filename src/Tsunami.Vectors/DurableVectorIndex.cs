using System.Buffers.Binary;
using System.IO.Hashing;

namespace Tsunami.Vectors;

/// <summary>
/// An index that survives a crash: every add and remove is appended to a write-ahead log and flushed to disk before
/// it is applied and acknowledged; <see cref="Checkpoint"/> writes a checksummed snapshot (temporary file, flush,
/// rename) and empties the log. Opening loads the snapshot and replays the log; a record cut short by a crash at
/// the log's end is dropped (it was never acknowledged), anything else that fails its checksum stops the open with
/// the file and offset named, never a wrong answer. The graph is rebuilt from the snapshot's vectors on open.
/// </summary>
public sealed class DurableVectorIndex : IVectorIndex, IDisposable
{
    private const string SnapshotName = "index.snapshot";
    private const string LogName = "index.wal";
    private static readonly byte[] SnapshotMagic = "TSVSNAP1"u8.ToArray();
    private static readonly byte[] LogMagic = "TSVWAL01"u8.ToArray();
    private const byte AddRecord = 1, RemoveRecord = 2;

    private readonly IVectorIndex _index;
    private readonly string _folder;
    private readonly Lock _writer = new();
    private readonly FileStream _log;

    private DurableVectorIndex(IVectorIndex index, string folder, FileStream log)
    {
        _index = index;
        _folder = folder;
        _log = log;
    }

    public int Dimensions => _index.Dimensions;
    public Metric Metric => _index.Metric;
    public int Count => _index.Count;

    /// <summary>Opens (or creates) the index in <paramref name="folder"/>; <paramref name="create"/> makes the empty in-memory index.</summary>
    /// <exception cref="InvalidDataException">A snapshot or log that is corrupt, or made for other dimensions or metric.</exception>
    public static DurableVectorIndex Open(string folder, Func<IVectorIndex> create)
    {
        Directory.CreateDirectory(folder);
        var index = create();
        var snapshot = Path.Combine(folder, SnapshotName);
        if (File.Exists(snapshot))
        {
            foreach (var (key, vector) in ReadSnapshot(snapshot, index))
            {
                index.Add(key, vector);
            }
        }
        var logPath = Path.Combine(folder, LogName);
        var good = File.Exists(logPath) ? Replay(logPath, index) : 0;
        var log = new FileStream(logPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1 << 16, FileOptions.None);
        if (good == 0)
        {
            log.SetLength(0);
            log.Write(LogMagic);
            WriteShape(log, index);
            log.Flush(flushToDisk: true);
        }
        else
        {
            // Drop a tail cut short by a crash: it was never acknowledged.
            log.SetLength(good);
        }
        log.Seek(0, SeekOrigin.End);
        return new DurableVectorIndex(index, folder, log);
    }

    public void Add(long key, ReadOnlySpan<float> vector)
    {
        if (vector.Length != Dimensions)
        {
            // The index names the problem; nothing reaches the log.
            _index.Add(key, vector);
        }
        lock (_writer)
        {
            Append(AddRecord, key, vector);
            _index.Add(key, vector);
        }
    }

    public bool Remove(long key)
    {
        lock (_writer)
        {
            if (!_index.Contains(key))
            {
                return false;
            }
            Append(RemoveRecord, key, []);
            return _index.Remove(key);
        }
    }

    public bool Contains(long key) => _index.Contains(key);

    public IReadOnlyList<(long Key, float[] Vector)> Entries() => _index.Entries();

    public IReadOnlyList<Neighbor> Search(ReadOnlySpan<float> query, int k, SearchOptions? options = null) => _index.Search(query, k, options);

    /// <summary>Writes every live vector to a new snapshot and starts an empty log.</summary>
    public void Checkpoint()
    {
        lock (_writer)
        {
            var path = Path.Combine(_folder, SnapshotName);
            var temporary = path + ".tmp";
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                var crc = new Crc32();
                void Write(ReadOnlySpan<byte> bytes)
                {
                    file.Write(bytes);
                    crc.Append(bytes);
                }
                var entries = _index.Entries();
                Write(SnapshotMagic);
                Span<byte> header = stackalloc byte[9];
                BinaryPrimitives.WriteInt32LittleEndian(header, Dimensions);
                header[4] = (byte)Metric;
                BinaryPrimitives.WriteInt32LittleEndian(header[5..], entries.Count);
                Write(header);
                var row = new byte[sizeof(long) + (Dimensions * sizeof(float))];
                foreach (var (key, vector) in entries)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(row, key);
                    System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan()).CopyTo(row.AsSpan(sizeof(long)));
                    Write(row);
                }
                file.Write(crc.GetCurrentHash());
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
            _log.SetLength(0);
            _log.Write(LogMagic);
            WriteShape(_log, _index);
            _log.Flush(flushToDisk: true);
        }
    }

    public void Dispose() => _log.Dispose();

    private void Append(byte operation, long key, ReadOnlySpan<float> vector)
    {
        var payload = new byte[1 + sizeof(long) + (vector.Length * sizeof(float))];
        payload[0] = operation;
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(1), key);
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector).CopyTo(payload.AsSpan(1 + sizeof(long)));
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(header, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32.HashToUInt32(payload));
        _log.Write(header);
        _log.Write(payload);
        _log.Flush(flushToDisk: true);
    }

    private static void WriteShape(Stream stream, IVectorIndex index)
    {
        Span<byte> shape = stackalloc byte[5];
        BinaryPrimitives.WriteInt32LittleEndian(shape, index.Dimensions);
        shape[4] = (byte)index.Metric;
        stream.Write(shape);
    }

    private static IEnumerable<(long Key, float[] Vector)> ReadSnapshot(string path, IVectorIndex index)
    {
        var bytes = File.ReadAllBytes(path);
        var body = bytes.AsSpan(0, Math.Max(0, bytes.Length - 4));
        if (bytes.Length < SnapshotMagic.Length + 13 || !body.StartsWith(SnapshotMagic)
            || Crc32.HashToUInt32(body) != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4)))
        {
            throw new InvalidDataException($"{path} is corrupt (bad header or checksum); the index was not opened");
        }
        var dimensions = BinaryPrimitives.ReadInt32LittleEndian(body[SnapshotMagic.Length..]);
        var metric = (Metric)body[SnapshotMagic.Length + 4];
        CheckShape(path, dimensions, metric, index);
        var count = BinaryPrimitives.ReadInt32LittleEndian(body[(SnapshotMagic.Length + 5)..]);
        var stride = sizeof(long) + (dimensions * sizeof(float));
        var offset = SnapshotMagic.Length + 9;
        if (body.Length != offset + ((long)count * stride))
        {
            throw new InvalidDataException($"{path} is corrupt: {count} vectors announced, {(body.Length - offset) / stride} present");
        }
        var entries = new List<(long, float[])>(count);
        for (var i = 0; i < count; i++, offset += stride)
        {
            entries.Add((BinaryPrimitives.ReadInt64LittleEndian(body[offset..]),
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(body.Slice(offset + sizeof(long), dimensions * sizeof(float))).ToArray()));
        }
        return entries;
    }

    /// <summary>Applies the log's records; returns the length of its valid prefix (0: no usable log).</summary>
    private static long Replay(string path, IVectorIndex index)
    {
        var bytes = File.ReadAllBytes(path);
        var start = LogMagic.Length + 5;
        if (bytes.Length < start)
        {
            return 0;
        }
        if (!bytes.AsSpan().StartsWith(LogMagic))
        {
            throw new InvalidDataException($"{path} is not a Tsunami vector log; the index was not opened");
        }
        CheckShape(path, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(LogMagic.Length)), (Metric)bytes[LogMagic.Length + 4], index);
        var offset = start;
        while (offset < bytes.Length)
        {
            if (bytes.Length - offset < 8)
            {
                break;
            }
            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));
            var end = offset + 8L + length;
            if (length < 9 || end > bytes.Length)
            {
                if (length >= 9 && length <= 9 + (index.Dimensions * sizeof(float)))
                {
                    break;
                }
                throw new InvalidDataException($"{path} is corrupt at byte {offset}: a record of {length} bytes; the index was not opened");
            }
            var payload = bytes.AsSpan(offset + 8, length);
            if (Crc32.HashToUInt32(payload) != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 4)))
            {
                if (end == bytes.Length)
                {
                    break;
                }
                throw new InvalidDataException($"{path} is corrupt at byte {offset}: checksum mismatch; the index was not opened");
            }
            var key = BinaryPrimitives.ReadInt64LittleEndian(payload[1..]);
            if (payload[0] == AddRecord)
            {
                index.Add(key, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(payload[(1 + sizeof(long))..]));
            }
            else
            {
                index.Remove(key);
            }
            offset = (int)end;
        }
        return offset;
    }

    private static void CheckShape(string path, int dimensions, Metric metric, IVectorIndex index)
    {
        if (dimensions != index.Dimensions || metric != index.Metric)
        {
            throw new InvalidDataException($"{path} holds {dimensions}-d {metric} vectors; this index is {index.Dimensions}-d {index.Metric}");
        }
    }
}
