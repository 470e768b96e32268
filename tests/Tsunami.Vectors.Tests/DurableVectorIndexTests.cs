using System.Diagnostics;
using Tsunami.Vectors.CrashWorker;

namespace Tsunami.Vectors.Tests;

/// <summary>The write-ahead log and snapshots: round trips, a real kill -9 mid-insert, and corrupt files.</summary>
public sealed class DurableVectorIndexTests : IDisposable
{
    private const int Dimensions = 16;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tsunami-vectors-" + Guid.NewGuid().ToString("N"));

    private DurableVectorIndex Open() => DurableVectorIndex.Open(_folder, () => new HnswIndex(Dimensions, Metric.L2));

    private static Dictionary<long, float[]> Contents(IVectorIndex index) => index.Entries().ToDictionary(e => e.Key, e => e.Vector);

    [Fact]
    public void Adds_removes_and_checkpoints_survive_a_reopen()
    {
        using (var index = Open())
        {
            for (long key = 0; key < 300; key++)
            {
                index.Add(key, KeyedVectors.Of(key, Dimensions));
            }
            index.Checkpoint();
            for (long key = 300; key < 400; key++)
            {
                index.Add(key, KeyedVectors.Of(key, Dimensions));
            }
            Assert.True(index.Remove(5));
            Assert.True(index.Remove(350));
            index.Add(7, KeyedVectors.Of(1007, Dimensions));
        }
        using var reopened = Open();
        Assert.Equal(398, reopened.Count);
        var contents = Contents(reopened);
        Assert.False(contents.ContainsKey(5));
        Assert.False(contents.ContainsKey(350));
        Assert.Equal(KeyedVectors.Of(1007, Dimensions), contents[7]);
        Assert.Equal(KeyedVectors.Of(399, Dimensions), contents[399]);
        Assert.Equal(123, reopened.Search(KeyedVectors.Of(123, Dimensions), 1)[0].Key);
    }

    [Fact]
    public void A_key_given_twice_in_a_batch_keeps_its_last_vector_in_memory_and_after_a_reopen()
    {
        const int keys = 1000;
        (long, float[])[] batch = [.. Enumerable.Range(0, 2 * keys).Select(i => ((long)(i % keys), KeyedVectors.Of(i, Dimensions)))];
        var graph = new HnswIndex(Dimensions, Metric.L2, new HnswOptions { BuildThreads = 2 });
        using (var index = DurableVectorIndex.Open(_folder, () => graph))
        {
            index.AddRange(batch);
            Assert.Equal(keys, index.Count);
            // Only the last copies went in: concurrent inserts of both would apply them in either order.
            Assert.Equal(0, graph.Tombstones);
            Assert.All(Contents(index), e => Assert.Equal(KeyedVectors.Of(e.Key + keys, Dimensions), e.Value));
        }
        using var reopened = Open();
        Assert.All(Contents(reopened), e => Assert.Equal(KeyedVectors.Of(e.Key + keys, Dimensions), e.Value));
    }

    [Fact]
    public void Batches_are_logged_with_one_flush_and_replayed_after_a_reopen()
    {
        using (var index = Open())
        {
            index.AddRange([.. Enumerable.Range(0, 500).Select(key => ((long)key, KeyedVectors.Of(key, Dimensions)))]);
            Assert.Equal(2, index.RemoveRange([3, 4, 9999]));
            index.AddRange([(7L, KeyedVectors.Of(1007, Dimensions))]);
            Assert.Throws<ArgumentException>(() => index.AddRange([(1L, new float[3])]));
        }
        using var reopened = Open();
        Assert.Equal(498, reopened.Count);
        var contents = Contents(reopened);
        Assert.False(contents.ContainsKey(3) || contents.ContainsKey(4));
        Assert.Equal(KeyedVectors.Of(1007, Dimensions), contents[7]);
        Assert.Equal(KeyedVectors.Of(499, Dimensions), contents[499]);
    }

    [Fact]
    public void An_hnsw_snapshot_holds_the_graph_so_opening_does_not_rebuild_it()
    {
        var query = KeyedVectors.Of(4242, Dimensions);
        IReadOnlyList<Neighbor> before;
        using (var index = Open())
        {
            for (long key = 0; key < 2000; key++)
            {
                index.Add(key, KeyedVectors.Of(key, Dimensions));
            }
            index.Remove(10);
            index.Add(11, KeyedVectors.Of(5011, Dimensions));
            index.Checkpoint();
            before = index.Search(query, 10);
        }
        HnswIndex? graph = null;
        using var reopened = DurableVectorIndex.Open(_folder, () => graph = new HnswIndex(Dimensions, Metric.L2));
        Assert.Equal(0, graph!.DistanceComputations);
        Assert.Equal(1999, reopened.Count);
        Assert.Equal(before, reopened.Search(query, 10));
        Assert.Equal(KeyedVectors.Of(5011, Dimensions), Contents(reopened)[11]);

        var other = Assert.Throws<InvalidDataException>(() => DurableVectorIndex.Open(_folder, () => new HnswIndex(Dimensions, Metric.L2, new HnswOptions { M = 8 })));
        Assert.Contains("M = 16", other.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_snapshot_numbers_the_graph_in_walk_order_so_neighbours_sit_together()
    {
        static double Spread(HnswIndex graph) =>
            Enumerable.Range(0, graph.Count).Average(node => graph.LinksOf(node).ToArray().Average(link => Math.Abs(link - node)));
        HnswIndex? built = null;
        using (var index = DurableVectorIndex.Open(_folder, () => built = new HnswIndex(Dimensions, Metric.L2)))
        {
            // Keys added in random order: the graph as built numbers nodes in that order.
            foreach (var key in Enumerable.Range(0, 3000).OrderBy(k => (uint)(k * 2654435761u)))
            {
                index.Add(key, KeyedVectors.Of(key, Dimensions));
            }
            index.Checkpoint();
        }
        HnswIndex? graph = null;
        using var reopened = DurableVectorIndex.Open(_folder, () => graph = new HnswIndex(Dimensions, Metric.L2));
        Assert.Equal(0, graph!.EntryNode);
        // Breadth-first from the entry: its neighbours are numbered 1, 2, … in their link order.
        Assert.Equal(Enumerable.Range(1, graph.LinksOf(0).Length), graph.LinksOf(0).ToArray());
        var (before, after) = (Spread(built!), Spread(graph));
        Assert.True(after < 0.85 * before, $"neighbours lie {after:0} numbers apart on average after the snapshot, {before:0} before");
    }

    [Fact]
    public void A_checkpoint_compacts_a_graph_with_many_tombstones_and_the_compacted_graph_reopens()
    {
        HnswIndex? graph = null;
        using (var index = DurableVectorIndex.Open(_folder, () => graph = new HnswIndex(Dimensions, Metric.L2)))
        {
            for (long key = 0; key < 500; key++)
            {
                index.Add(key, KeyedVectors.Of(key, Dimensions));
            }
            for (long key = 0; key < 500; key += 2)
            {
                index.Remove(key);
            }
            Assert.Equal(250, graph!.Tombstones);
            index.Checkpoint();
            Assert.Equal(0, graph.Tombstones);
        }
        using var reopened = DurableVectorIndex.Open(_folder, () => graph = new HnswIndex(Dimensions, Metric.L2));
        Assert.Equal((250, 0), (reopened.Count, graph.Tombstones));
        Assert.Equal(Enumerable.Range(0, 250).Select(i => (long)((2 * i) + 1)), reopened.Entries().Select(e => e.Key).Order());
        Assert.Equal(321, reopened.Search(KeyedVectors.Of(321, Dimensions), 1)[0].Key);
    }

    [Fact]
    public async Task A_kill_mid_insert_reopens_to_the_last_acknowledged_write()
    {
        var worker = Path.Combine(Root(), "tests", "Tsunami.Vectors.CrashWorker", "bin", Configuration(), "net10.0", "Tsunami.Vectors.CrashWorker.dll");
        long acknowledged = -1;
        for (var round = 0; round < 2; round++)
        {
            using var process = Process.Start(new ProcessStartInfo("dotnet", [worker, _folder, Dimensions.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var target = acknowledged + 300;
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                acknowledged = long.Parse(line, System.Globalization.CultureInfo.InvariantCulture);
                if (acknowledged >= target)
                {
                    process.Kill(entireProcessTree: true);
                    break;
                }
            }
            await process.WaitForExitAsync();
            Assert.True(acknowledged >= target, await process.StandardError.ReadToEndAsync());

            using var index = Open();
            var contents = Contents(index);
            Assert.True(index.Count >= acknowledged + 1, $"{index.Count} vectors after acknowledging key {acknowledged}");
            for (long key = 0; key <= acknowledged; key++)
            {
                Assert.Equal(KeyedVectors.Of(key, Dimensions), contents[key]);
            }
            if (round == 0)
            {
                index.Checkpoint();
            }
        }
    }

    [Fact]
    public void A_reopened_int8_index_reads_its_float32_rows_in_place_from_the_snapshot()
    {
        var int8 = new HnswOptions { Int8 = true };
        DurableVectorIndex OpenInt8(out HnswIndex graph)
        {
            HnswIndex? made = null;
            var durable = DurableVectorIndex.Open(_folder, () => made = new HnswIndex(Dimensions, Metric.L2, int8));
            graph = made!;
            return durable;
        }
        var query = KeyedVectors.Of(4242, Dimensions);
        IReadOnlyList<Neighbor> before;
        long heapBefore;
        using (var index = OpenInt8(out var built))
        {
            for (long key = 0; key < 2000; key++)
            {
                index.Add(key, KeyedVectors.Of(key, Dimensions));
            }
            index.Checkpoint();
            (before, heapBefore) = (index.Search(query, 10), built.MemoryBytes);
        }

        HnswIndex reopenedGraph;
        using (var reopened = OpenInt8(out reopenedGraph))
        {
            Assert.Equal(before, reopened.Search(query, 10));
            Assert.Equal(heapBefore - (2000L * Dimensions * sizeof(float)), reopenedGraph.MemoryBytes);
            Assert.Equal(KeyedVectors.Of(7, Dimensions), Contents(reopened)[7]);
            // Still a writable index: a new vector on the heap, and a checkpoint that replaces the mapped file.
            reopened.Add(5000, KeyedVectors.Of(5000, Dimensions));
            reopened.Remove(3);
            reopened.Checkpoint();
            Assert.Equal(5000, reopened.Search(KeyedVectors.Of(5000, Dimensions), 1)[0].Key);
            Assert.Equal(KeyedVectors.Of(1999, Dimensions), Contents(reopened)[1999]);
        }
        reopenedGraph.Dispose();
        Assert.Throws<ObjectDisposedException>(() => reopenedGraph.Search(query, 10));
        Assert.Throws<ObjectDisposedException>(reopenedGraph.Entries);

        using var third = OpenInt8(out _);
        Assert.Equal(2000, third.Count);
        Assert.False(third.Contains(3));
        Assert.Equal(KeyedVectors.Of(5000, Dimensions), Contents(third)[5000]);
    }

    [Fact]
    public void A_corrupt_snapshot_is_refused_with_its_name()
    {
        using (var index = Open())
        {
            for (long key = 0; key < 50; key++)
            {
                index.Add(key, KeyedVectors.Of(key, Dimensions));
            }
            index.Checkpoint();
        }
        var snapshot = Path.Combine(_folder, "index.snapshot");
        var bytes = File.ReadAllBytes(snapshot);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(snapshot, bytes);
        Assert.Contains("index.snapshot is corrupt", Assert.Throws<InvalidDataException>(Open).Message, StringComparison.Ordinal);

        File.WriteAllBytes(snapshot, bytes[..(bytes.Length / 3)]);
        Assert.Contains("index.snapshot is corrupt", Assert.Throws<InvalidDataException>(Open).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_snapshot_with_a_good_checksum_but_an_impossible_graph_is_refused()
    {
        // A hostile or buggy writer: the checksum matches, the content does not hold together.
        using (var index = Open())
        {
            for (long key = 0; key < 50; key++)
            {
                index.Add(key, KeyedVectors.Of(key, Dimensions));
            }
            index.Checkpoint();
        }
        var snapshot = Path.Combine(_folder, "index.snapshot");
        var good = File.ReadAllBytes(snapshot);
        const int nodesAt = 8 + 4 + 1 + 1 + 4, layer0At = nodesAt + 12 + (50 * (8 + 1 + 4 + (Dimensions * 4)));
        void Write(int offset, int value)
        {
            var bytes = good.ToArray();
            BitConverter.TryWriteBytes(bytes.AsSpan(offset), value);
            System.IO.Hashing.Crc32.Hash(bytes.AsSpan(0, bytes.Length - 4)).CopyTo(bytes.AsSpan(bytes.Length - 4));
            File.WriteAllBytes(snapshot, bytes);
        }

        Write(nodesAt, 5_000_000);
        Assert.Contains("claims 5000000 nodes", Assert.Throws<InvalidDataException>(Open).Message, StringComparison.Ordinal);
        Write(layer0At + 4, 999);
        Assert.Contains("links outside the graph", Assert.Throws<InvalidDataException>(Open).Message, StringComparison.Ordinal);
        Write(layer0At, 1000);
        Assert.Contains("index.snapshot cannot be loaded", Assert.Throws<InvalidDataException>(Open).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_torn_log_tail_is_dropped_and_a_damaged_record_before_it_is_refused()
    {
        using (var index = Open())
        {
            for (long key = 0; key < 20; key++)
            {
                index.Add(key, KeyedVectors.Of(key, Dimensions));
            }
        }
        var log = Path.Combine(_folder, "index.wal");
        var whole = File.ReadAllBytes(log);
        File.WriteAllBytes(log, whole[..^7]);
        using (var torn = Open())
        {
            Assert.Equal(19, torn.Count);
            Assert.False(torn.Contains(19));
        }

        var damaged = File.ReadAllBytes(log);
        damaged[40] ^= 0x01;
        File.WriteAllBytes(log, damaged);
        Assert.Contains("index.wal is corrupt at byte", Assert.Throws<InvalidDataException>(Open).Message, StringComparison.Ordinal);

        Directory.Delete(_folder, recursive: true);
        using (var index = Open())
        {
            index.Add(1, KeyedVectors.Of(1, Dimensions));
        }
        var other = Assert.Throws<InvalidDataException>(() => DurableVectorIndex.Open(_folder, () => new FlatIndex(8, Metric.L2)));
        Assert.Contains("16-d L2", other.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_vector_never_reaches_the_log()
    {
        using (var index = Open())
        {
            Assert.Throws<ArgumentException>(() => index.Add(1, new float[3]));
            Assert.Throws<ArgumentException>(() => index.Add(3, [.. Enumerable.Repeat(float.NaN, Dimensions)]));
            index.Add(2, KeyedVectors.Of(2, Dimensions));
        }
        using var reopened = Open();
        Assert.Equal([2L], reopened.Entries().Select(e => e.Key));
    }

    private static string Root()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Tsunami.slnx")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("no Tsunami.slnx above the test assembly");
    }

    private static string Configuration() => AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
