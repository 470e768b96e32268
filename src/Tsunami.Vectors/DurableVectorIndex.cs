using System.Buffers.Binary;
using System.IO.Hashing;

namespace Tsunami.Vectors;

/// <summary>
/// An index that survives a crash: every add and remove is appended to a write-ahead log and flushed to disk before
/// it is applied and acknowledged; <see cref="Checkpoint"/> writes a checksummed snapshot (temporary file, flush,
/// rename) and empties the log. Opening loads the snapshot and replays the log; a record cut short by a crash at
/// the log's end is dropped (it was never acknowledged), anything else that fails its checksum stops the open with
/// the file and offset named, never a wrong answer. An HNSW index is snapshotted with its graph, so opening reads it
/// back instead of rebuilding it; other indexes store their vectors.
/// </summary>
public sealed class DurableVectorIndex : IVectorIndex, IDisposable
{
    private const string SnapshotName = "index.snapshot";
    private const string LogName = "index.wal";
    private static readonly byte[] SnapshotMagic = "TSVSNAP2"u8.ToArray();
    private const byte EntriesLayout = 1, GraphLayout = 3; // 2: the graph node by node (before columns)
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
            ReadSnapshot(snapshot, index);
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
        // A vector the index would refuse must not reach the log, or replaying it would stop every later open.
        VectorSpace.Validate(vector, Dimensions);
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

    /// <summary>
    /// Adds many vectors with one flush of the log for all of them (then on several threads, for HNSW); acknowledged
    /// together when this returns.
    /// </summary>
    public void AddRange(IReadOnlyList<(long Key, float[] Vector)> items)
    {
        foreach (var (_, vector) in items)
        {
            VectorSpace.Validate(vector, Dimensions);
        }
        lock (_writer)
        {
            foreach (var (key, vector) in items)
            {
                Append(AddRecord, key, vector, flush: false);
            }
            _log.Flush(flushToDisk: true);
            if (_index is HnswIndex graph)
            {
                graph.AddRange(items);
            }
            else
            {
                foreach (var (key, vector) in items)
                {
                    _index.Add(key, vector);
                }
            }
        }
    }

    /// <summary>Removes many keys with one flush of the log; returns how many were there.</summary>
    public int RemoveRange(IEnumerable<long> keys)
    {
        lock (_writer)
        {
            var present = keys.Where(_index.Contains).ToList();
            foreach (var key in present)
            {
                Append(RemoveRecord, key, [], flush: false);
            }
            _log.Flush(flushToDisk: true);
            return present.Count(_index.Remove);
        }
    }

    public bool Contains(long key) => _index.Contains(key);

    public IReadOnlyList<(long Key, float[] Vector)> Entries() => _index.Entries();

    public IReadOnlyList<Neighbor> Search(ReadOnlySpan<float> query, int k, SearchOptions? options = null) => _index.Search(query, k, options);

    public IReadOnlyList<IReadOnlyList<Neighbor>> SearchBatch(IReadOnlyList<float[]> queries, int k, SearchOptions? options = null) =>
        _index.SearchBatch(queries, k, options);

    /// <summary>
    /// Writes a new snapshot (the graph, for HNSW; else every live vector) and starts an empty log. An HNSW graph whose
    /// tombstones have reached <see cref="HnswOptions.CompactAboveTombstones"/> is rebuilt without them first.
    /// </summary>
    public void Checkpoint()
    {
        lock (_writer)
        {
            if (_index is HnswIndex { NeedsCompaction: true } compactable)
            {
                compactable.Compact();
            }
            var path = Path.Combine(_folder, SnapshotName);
            var temporary = path + ".tmp";
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                using (var checksummed = new ChecksumStream(file))
                using (var writer = new BinaryWriter(checksummed, System.Text.Encoding.UTF8, leaveOpen: true))
                {
                    writer.Write(SnapshotMagic);
                    writer.Write(Dimensions);
                    writer.Write((byte)Metric);
                    if (_index is HnswIndex graph)
                    {
                        writer.Write(GraphLayout);
                        graph.Save(writer);
                    }
                    else
                    {
                        writer.Write(EntriesLayout);
                        var entries = _index.Entries();
                        writer.Write(entries.Count);
                        foreach (var (key, vector) in entries)
                        {
                            writer.Write(key);
                            writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan()));
                        }
                    }
                    writer.Flush();
                    file.Write(checksummed.Hash);
                }
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
            _log.SetLength(0);
            _log.Write(LogMagic);
            WriteShape(_log, _index);
            _log.Flush(flushToDisk: true);
        }
    }

    /// <summary>Closes the log. The index itself belongs to whoever made it (an int8 HNSW index reads its snapshot until disposed).</summary>
    public void Dispose() => _log.Dispose();

    private void Append(byte operation, long key, ReadOnlySpan<float> vector, bool flush = true)
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
        if (flush)
        {
            _log.Flush(flushToDisk: true);
        }
    }

    private static void WriteShape(Stream stream, IVectorIndex index)
    {
        Span<byte> shape = stackalloc byte[5];
        BinaryPrimitives.WriteInt32LittleEndian(shape, index.Dimensions);
        shape[4] = (byte)index.Metric;
        stream.Write(shape);
    }

    private static void ReadSnapshot(string path, IVectorIndex index)
    {
        // Streamed twice, checksum first: nothing of a corrupt file is loaded, and a snapshot may exceed 2 GB.
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        Span<byte> magic = stackalloc byte[SnapshotMagic.Length];
        if (file.Length < SnapshotMagic.Length + 10 || !ChecksumMatches(file) || file.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false) != magic.Length
            || !magic.SequenceEqual(SnapshotMagic))
        {
            throw new InvalidDataException($"{path} is corrupt (bad header or checksum); the index was not opened");
        }
        var end = file.Length - sizeof(uint);
        using var reader = new BinaryReader(file, System.Text.Encoding.UTF8, leaveOpen: true);
        CheckShape(path, reader.ReadInt32(), (Metric)reader.ReadByte(), index);
        try
        {
            switch (reader.ReadByte())
            {
                case GraphLayout when index is HnswIndex graph:
                    graph.Load(reader);
                    break;
                case EntriesLayout:
                    var count = reader.ReadInt32();
                    var vector = new float[index.Dimensions];
                    for (var i = 0; i < count; i++)
                    {
                        var key = reader.ReadInt64();
                        file.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan()));
                        index.Add(key, vector);
                    }
                    break;
                case var layout:
                    throw new InvalidDataException($"{path} holds a layout ({layout}) this index cannot load");
            }
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{path} is corrupt: it ends early; the index was not opened");
        }
        catch (InvalidDataException inner) when (!inner.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path} cannot be loaded: {inner.Message}; the index was not opened", inner);
        }
        if (file.Position != end)
        {
            throw new InvalidDataException($"{path} is corrupt: data after the end; the index was not opened");
        }
    }

    /// <summary>True when the CRC-32 of everything but the last four bytes is those four bytes; leaves the stream at its start.</summary>
    private static bool ChecksumMatches(FileStream file)
    {
        var crc = new Crc32();
        var buffer = new byte[1 << 20];
        var left = file.Length - sizeof(uint);
        file.Position = 0;
        while (left > 0)
        {
            var read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read == 0)
            {
                return false;
            }
            crc.Append(buffer.AsSpan(0, read));
            left -= read;
        }
        Span<byte> stored = stackalloc byte[sizeof(uint)];
        file.ReadExactly(stored);
        file.Position = 0;
        return crc.GetCurrentHashAsUInt32() == BinaryPrimitives.ReadUInt32LittleEndian(stored);
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

    /// <summary>Passes writes through and keeps the CRC-32 of everything written.</summary>
    private sealed class ChecksumStream(Stream inner) : Stream
    {
        private readonly Crc32 _crc = new();

        public byte[] Hash => _crc.GetCurrentHash();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _crc.Append(buffer);
            inner.Write(buffer);
        }

        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
