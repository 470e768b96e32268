namespace Tsunami.Vectors.Tests;

/// <summary>One conformance suite for both indexes; the flat index is the oracle the HNSW index is measured against.</summary>
public sealed class VectorIndexTests
{
    public static TheoryData<string, Metric> Indexes() => new()
    {
        { "flat", Metric.Cosine }, { "flat", Metric.Dot }, { "flat", Metric.L2 },
        { "hnsw", Metric.Cosine }, { "hnsw", Metric.Dot }, { "hnsw", Metric.L2 },
    };

    private static IVectorIndex Create(string kind, int dimensions, Metric metric) => kind switch
    {
        "flat" => new FlatIndex(dimensions, metric),
        _ => new HnswIndex(dimensions, metric, new HnswOptions { M = 16, EfConstruction = 100 }),
    };

    private static IVectorIndex Fill(IVectorIndex index, float[][] vectors, int first = 0)
    {
        for (var i = 0; i < vectors.Length; i++)
        {
            index.Add(first + i, vectors[i]);
        }
        return index;
    }

    /// <summary>Runs and waits for an action on a thread of its own (a task waited for may run inline, inside the caller's locks).</summary>
    private static void OnAnotherThread(Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException("the action on the other thread failed", failure);
        }
    }

    private static double Recall(IVectorIndex index, IVectorIndex oracle, float[][] queries, int k, SearchOptions? options = null)
    {
        var hits = 0;
        var total = 0;
        foreach (var query in queries)
        {
            var truth = oracle.Search(query, k, options).Select(n => n.Key).ToHashSet();
            hits += index.Search(query, k, options).Count(n => truth.Contains(n.Key));
            total += truth.Count;
        }
        return (double)hits / total;
    }

    [Theory]
    [MemberData(nameof(Indexes))]
    public void Distances_follow_the_metric(string kind, Metric metric)
    {
        var index = Create(kind, 2, metric);
        index.Add(1, [3, 4]);
        index.Add(2, [1, 0]);
        var hits = index.Search([1, 0], 2);
        var expected = metric switch
        {
            Metric.Cosine => new[] { (2L, 0f), (1L, 1 - 0.6f) },
            Metric.Dot => [(1L, -3f), (2L, -1f)],
            _ => [(2L, 0f), (1L, 20f)],
        };
        Assert.Equal(expected.Select(e => e.Item1), hits.Select(h => h.Key));
        Assert.Equal(expected.Select(e => e.Item2), hits.Select(h => h.Distance), (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void The_flat_index_is_exact()
    {
        var vectors = Data.Gaussian(500, 16, seed: 1);
        var index = Fill(new FlatIndex(16, Metric.L2), vectors);
        foreach (var query in Data.Gaussian(20, 16, seed: 2))
        {
            var expected = vectors.Select((v, i) => (Key: (long)i, Distance: v.Zip(query, (a, b) => (a - b) * (a - b)).Sum()))
                .OrderBy(x => x.Distance).Take(10).Select(x => x.Key);
            Assert.Equal(expected, index.Search(query, 10).Select(n => n.Key));
        }
    }

    [Theory]
    [InlineData(false, Metric.Cosine)]
    [InlineData(true, Metric.Cosine)]
    [InlineData(false, Metric.L2)]
    [InlineData(false, Metric.Dot)]
    public void Hnsw_recall_at_10_is_at_least_095_while_touching_a_fraction_of_the_vectors(bool clustered, Metric metric)
    {
        const int count = 4000;
        var vectors = clustered ? Data.Clustered(count, 32, clusters: 40, seed: 3) : Data.Gaussian(count, 32, seed: 3);
        var queries = clustered ? Data.Clustered(100, 32, clusters: 40, seed: 4) : Data.Gaussian(100, 32, seed: 4);
        var oracle = Fill(new FlatIndex(32, metric), vectors);
        var hnsw = (HnswIndex)Fill(Create("hnsw", 32, metric), vectors);
        var before = hnsw.DistanceComputations;
        var recall = Recall(hnsw, oracle, queries, 10, new SearchOptions { Ef = 100 });
        var perQuery = (hnsw.DistanceComputations - before) / (double)queries.Length;
        Assert.True(recall >= 0.95, $"recall@10 {recall:0.000}");
        Assert.True(perQuery < count / 2.0, $"{perQuery:0} distances a query: the graph was not used");
    }

    [Theory]
    [InlineData(Metric.Cosine)]
    [InlineData(Metric.L2)]
    public void Int8_search_with_float_rescoring_keeps_recall_on_a_quarter_of_the_bytes(Metric metric)
    {
        var vectors = Data.Clustered(4000, 64, clusters: 40, seed: 12);
        var queries = Data.Clustered(100, 64, clusters: 40, seed: 13);
        var oracle = Fill(new FlatIndex(64, metric), vectors);
        var int8 = new HnswIndex(64, metric, new HnswOptions { EfConstruction = 100, Int8 = true });
        Fill(int8, vectors);
        var recall = Recall(int8, oracle, queries, 10, new SearchOptions { Ef = 100 });
        Assert.True(recall >= 0.95, $"int8 recall@10 {recall:0.000}");
        Assert.True(int8.SearchBytesPerVector <= 0.35 * 64 * sizeof(float), $"{int8.SearchBytesPerVector} bytes a vector");
        var exact = int8.Search(vectors[42], 1)[0];
        Assert.Equal(42, exact.Key);
        Assert.True(exact.Distance < 1e-4, "the best hit is re-scored on float32");
    }

    [Fact]
    public void The_int8_kernel_sums_exactly()
    {
        var random = new Random(14);
        foreach (var length in new[] { 1, 7, 31, 32, 100, 257 })
        {
            var a = Enumerable.Range(0, length).Select(_ => (sbyte)random.Next(-127, 128)).ToArray();
            var b = Enumerable.Range(0, length).Select(_ => (sbyte)random.Next(-127, 128)).ToArray();
            Assert.Equal(a.Zip(b, (x, y) => x * y).Sum(), Int8Codes.DotProduct(a, b));
        }
    }

    [Fact]
    public void Coded_rows_and_queries_give_the_int8_dot_product_at_every_remainder()
    {
        // Covers the VNNI kernel (unsigned-shifted query, masked last chunk) where the CPU has it, else the widening one.
        var random = new Random(15);
        foreach (var dimensions in new[] { 8, 32, 33, 63, 64, 100, 257 })
        {
            var codes = new Int8Codes(dimensions);
            var row = Enumerable.Range(0, dimensions).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            var query = codes.Prepare(Enumerable.Range(0, dimensions).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray());
            codes.Write(3, row);
            var rowCodes = new sbyte[dimensions];
            var rowScale = Int8Codes.Encode(row, rowCodes);
            Assert.Equal(Int8Codes.DotProduct(rowCodes, query.Codes) * rowScale * query.Scale, codes.Dot(3, query));
        }
    }

    [Theory]
    [MemberData(nameof(Indexes))]
    public void Upserts_replace_and_removed_keys_are_never_returned(string kind, Metric metric)
    {
        var vectors = Data.Gaussian(1000, 8, seed: 5);
        var index = Fill(Create(kind, 8, metric), vectors);
        var replacement = Data.Gaussian(1, 8, seed: 6)[0];
        index.Add(7, replacement);
        Assert.Equal(1000, index.Count);
        Assert.Equal(7, index.Search(replacement, 1, new SearchOptions { Ef = 100 })[0].Key);
        if (metric != Metric.Dot)
        {
            Assert.DoesNotContain(index.Search(vectors[7], 5, new SearchOptions { Ef = 100 }), n => n.Key == 7 && n.Distance < 1e-4);
        }

        var removed = Enumerable.Range(0, 1000).Where(i => i % 3 == 0).Select(i => (long)i).ToHashSet();
        foreach (var key in removed)
        {
            Assert.True(index.Remove(key));
        }
        Assert.False(index.Remove(0));
        Assert.False(index.Contains(3));
        Assert.Equal(1000 - removed.Count, index.Count);
        foreach (var query in Data.Gaussian(30, 8, seed: 8))
        {
            var hits = index.Search(query, 10, new SearchOptions { Ef = 50 });
            Assert.Equal(10, hits.Count);
            Assert.DoesNotContain(hits, n => removed.Contains(n.Key));
        }
    }

    [Theory]
    [InlineData(0.01, 0.90)]
    [InlineData(0.10, 0.95)]
    [InlineData(0.50, 0.95)]
    public void Filtered_search_keeps_recall_at_every_selectivity(double selectivity, double minimumRecall)
    {
        var vectors = Data.Clustered(5000, 24, clusters: 50, seed: 9);
        var queries = Data.Clustered(60, 24, clusters: 50, seed: 10);
        var allowed = Enumerable.Range(0, vectors.Length).Where(i => (i * 2654435761u % 1000) < selectivity * 1000).Select(i => (long)i).ToHashSet();
        var options = new SearchOptions { Ef = 64, Allowed = allowed };
        var oracle = Fill(new FlatIndex(24, Metric.Cosine), vectors);
        var hnsw = Fill(Create("hnsw", 24, Metric.Cosine), vectors);
        var recall = Recall(hnsw, oracle, queries, 10, options);
        Assert.True(recall >= minimumRecall, $"recall@10 {recall:0.000} at selectivity {selectivity}");
        Assert.All(queries, q => Assert.All(hnsw.Search(q, 10, options), n => Assert.Contains(n.Key, allowed)));
    }

    [Theory]
    [MemberData(nameof(Indexes))]
    public void Bad_vectors_are_refused_with_the_reason(string kind, Metric metric)
    {
        Assert.Contains("at least one dimension", Assert.Throws<ArgumentOutOfRangeException>(() => Create(kind, 0, metric)).Message, StringComparison.Ordinal);
        var index = Create(kind, 4, metric);
        Assert.Contains("3 dimensions", Assert.Throws<ArgumentException>(() => index.Add(1, [1, 2, 3])).Message, StringComparison.Ordinal);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => index.Add(1, [1, float.NaN, 0, 0])).Message, StringComparison.Ordinal);
        Assert.Contains("5 dimensions", Assert.Throws<ArgumentException>(() => index.Search([1, 2, 3, 4, 5], 3)).Message, StringComparison.Ordinal);
        Assert.Equal(0, index.Count);
        Assert.Empty(index.Search([1, 0, 0, 0], 3));

        // A refused upsert leaves the vector it would have replaced.
        index.Add(2, [0, 1, 0, 0]);
        Assert.Throws<ArgumentException>(() => index.Add(2, [0, float.NaN, 0, 0]));
        Assert.Equal(1, index.Count);
        Assert.Equal(2, Assert.Single(index.Search([0, 1, 0, 0], 3)).Key);
    }

    [Fact]
    public async Task Searches_run_while_inserts_go_on()
    {
        var vectors = Data.Gaussian(3000, 16, seed: 11);
        var index = new HnswIndex(16, Metric.Cosine);
        Fill(index, vectors[..500]);
        using var stop = new CancellationTokenSource();
        var searched = 0;
        var searches = Enumerable.Range(0, 2).Select(t => Task.Run(() =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                Assert.NotEmpty(index.Search(vectors[(i * 7) % 500], 5));
                Interlocked.Increment(ref searched);
            }
        })).ToList();
        SpinWait.SpinUntil(() => Volatile.Read(ref searched) >= 2);
        var before = Volatile.Read(ref searched);
        for (var i = 500; i < vectors.Length; i++)
        {
            index.Add(i, vectors[i]);
        }
        var during = Volatile.Read(ref searched) - before;
        await stop.CancelAsync();
        await Task.WhenAll(searches);
        Assert.True(during > 0, "no search ran while the inserts went on");
        Assert.Equal(3000, index.Count);
        Assert.Equal(2999, index.Search(vectors[2999], 1)[0].Key);
    }

    [Fact]
    public async Task A_search_does_not_wait_for_an_insert_being_linked()
    {
        var vectors = Data.Gaussian(501, 16, seed: 14);
        var index = new HnswIndex(16, Metric.L2);
        Fill(index, vectors[..500]);
        using var linking = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        index.WhileLinking = () =>
        {
            linking.Set();
            release.Wait();
        };
        var insert = Task.Run(() => index.Add(500, vectors[500]));
        Assert.True(linking.Wait(TimeSpan.FromMinutes(1)), "the insert never started linking");
        // The insert now sits in the middle of linking its node; a search must answer anyway (a generous limit only
        // tells a search that waits for the insert from one that does not).
        var search = Task.Run(() => index.Search(vectors[7], 5));
        var answered = await Task.WhenAny(search, Task.Delay(TimeSpan.FromMinutes(1))) == search;
        index.WhileLinking = null;
        release.Set();
        await insert;
        Assert.True(answered, "the search waited for the insert");
        Assert.Equal(7, (await search)[0].Key);
        Assert.Equal(500, index.Search(vectors[500], 1)[0].Key);
    }

    [Fact]
    public async Task Two_inserts_link_their_nodes_at_the_same_time()
    {
        var vectors = Data.Gaussian(502, 16, seed: 15);
        var index = new HnswIndex(16, Metric.L2);
        Fill(index, vectors[..500]);
        using var bothLinking = new CountdownEvent(2);
        using var release = new ManualResetEventSlim();
        index.WhileLinking = () =>
        {
            bothLinking.Signal();
            release.Wait();
        };
        var inserts = new[] { Task.Run(() => index.Add(500, vectors[500])), Task.Run(() => index.Add(501, vectors[501])) };
        // Each insert waits in the middle of linking until both are there: inserts that appended or linked one at
        // a time would never both arrive (a generous limit only tells the two apart).
        var together = bothLinking.Wait(TimeSpan.FromMinutes(1));
        index.WhileLinking = null;
        release.Set();
        await Task.WhenAll(inserts);
        Assert.True(together, "the second insert waited for the first to finish linking");
        Assert.Equal(502, index.Count);
        Assert.Equal(501, index.Search(vectors[501], 1)[0].Key);
    }

    [Fact]
    public async Task A_search_walks_past_nodes_linked_after_it_began()
    {
        var vectors = Data.Clustered(400, 16, clusters: 4, seed: 16);
        var index = new HnswIndex(16, Metric.L2);
        Fill(index, vectors[..200]);
        var inserted = 0;
        index.WhileSearching = () =>
        {
            // The search has sized its visited marks for 200 nodes; 200 more join the graph before it walks.
            if (Interlocked.Exchange(ref inserted, 1) == 0)
            {
                OnAnotherThread(() => Fill(index, vectors[200..], first: 200));
            }
        };
        // A thread of its own, so the search's scratch is new and sized for the nodes there at its start.
        var hits = await Task.Factory.StartNew(() => index.Search(vectors[300], 10), TaskCreationOptions.LongRunning);
        index.WhileSearching = null;
        Assert.Equal(1, inserted);
        Assert.Equal(400, index.Count);
        Assert.Contains(hits, h => h.Key >= 200);
    }

    [Fact]
    public void An_insert_meeting_a_node_still_being_linked_keeps_its_way_in_and_finds_the_neighbourhood()
    {
        var vectors = Data.Clustered(301, 16, clusters: 4, seed: 18);
        var index = new HnswIndex(16, Metric.L2, new HnswOptions { M = 8, EfConstruction = 64, BuildThreads = 1 });
        var (x, y) = (-1, -1);
        IReadOnlyList<Neighbor> meanwhile = [];
        index.BeforeSetLinks = (node, layer) =>
        {
            // A node that reaches above layer 0 (not a new entry point), just before it gets its layer-0 links:
            // those above are in place, so other inserts reach it. Another insert lands right next to it meanwhile.
            if (x < 0 && layer == 0 && index.LevelOf(node) > 0 && index.EntryNode is { } entry && entry != node && index.LevelOf(entry) >= index.LevelOf(node))
            {
                x = node;
                OnAnotherThread(() => meanwhile = index.Search(vectors[node], 5));
                OnAnotherThread(() => index.Add(1000, [.. vectors[node].Select(v => v + 1e-3f)]));
            }
            else if (x >= 0 && y < 0)
            {
                y = node;
            }
        };
        for (var i = 0; i < vectors.Length && x < 0; i++)
        {
            index.Add(i, vectors[i]);
        }
        index.BeforeSetLinks = null;
        Assert.True(x >= 0 && y >= 0, "no node reached above layer 0");
        // The newcomer's link into the half-linked node survives that node's own links being written...
        Assert.True(index.LinksOf(x).Contains(y), $"x {x} links [{string.Join(",", index.LinksOf(x).ToArray())}], y {y} links [{string.Join(",", index.LinksOf(y).ToArray())}] level {index.LevelOf(y)}, x level {index.LevelOf(x)}");
        // ...and walks past the half-linked node (a dead end on layer 0) reach the neighbourhood beyond it.
        Assert.Equal(5, meanwhile.Count);
        Assert.True(index.LinksOf(y).Length > 1, $"the newcomer has {index.LinksOf(y).Length} link(s)");
        Assert.DoesNotContain(y, index.LinksOf(y).ToArray());
    }

    [Fact]
    public async Task A_key_upserted_while_a_search_walks_is_returned_once()
    {
        var vectors = Data.Clustered(200, 16, clusters: 4, seed: 17);
        var index = new HnswIndex(16, Metric.L2);
        Fill(index, vectors);
        var moved = vectors[7].Select(v => v + 0.001f).ToArray();
        var upserted = 0;
        index.WhileSearching = () =>
        {
            // The search has looked for tombstones (none) before key 7 moves to a new node next to its old one.
            if (Interlocked.Exchange(ref upserted, 1) == 0)
            {
                OnAnotherThread(() => index.Add(7, moved));
            }
        };
        var hits = await Task.Run(() => index.Search(vectors[7], 10));
        index.WhileSearching = null;
        Assert.Equal(1, upserted);
        Assert.Single(hits, h => h.Key == 7);
        Assert.Equal(hits.Count, hits.Select(h => h.Key).Distinct().Count());
    }

    [Theory]
    [InlineData(Metric.Cosine)]
    [InlineData(Metric.L2)]
    public async Task Inserts_on_several_threads_build_a_graph_that_searches_answer_from_meanwhile(Metric metric)
    {
        const int count = 4000;
        var vectors = Data.Clustered(count, 32, clusters: 40, seed: 21);
        var hnsw = new HnswIndex(32, metric, new HnswOptions { EfConstruction = 100, BuildThreads = 4 });
        var oracle = Fill(new FlatIndex(32, metric), vectors);
        hnsw.AddRange([.. vectors.Take(200).Select((v, i) => ((long)i, v))]);
        using var stop = new CancellationTokenSource();
        var answered = 0;
        var searches = Task.Run(() =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var hits = hnsw.Search(vectors[i % 200], 10);
                Assert.All(hits, h => Assert.InRange(h.Key, 0, count - 1));
                Assert.Equal(hits.OrderBy(h => h.Distance).Select(h => h.Key), hits.Select(h => h.Key));
                Interlocked.Increment(ref answered);
            }
        });
        SpinWait.SpinUntil(() => Volatile.Read(ref answered) > 0);
        var before = Volatile.Read(ref answered);

        hnsw.AddRange([.. vectors.Skip(200).Select((v, i) => (i + 200L, v))]);
        var during = Volatile.Read(ref answered) - before;
        await stop.CancelAsync();
        await searches;

        Assert.True(during > 0, "no search ran while the inserts went on");
        Assert.Equal(count, hnsw.Count);
        var computed = hnsw.DistanceComputations;
        var recall = Recall(hnsw, oracle, Data.Clustered(100, 32, clusters: 40, seed: 22), 10, new SearchOptions { Ef = 100 });
        Assert.True(recall >= 0.95, $"recall@10 {recall:0.000} after a build on four threads");
        Assert.True((hnsw.DistanceComputations - computed) / 100.0 < count / 2.0, "the graph was not used");
        Assert.All(Enumerable.Range(0, 50).Select(i => i * 79), i => Assert.Equal(i, hnsw.Search(vectors[i], 1, new SearchOptions { Ef = 100 })[0].Key));
    }

    [Theory]
    [MemberData(nameof(Indexes))]
    public void A_batch_of_queries_gets_each_query_s_own_answer(string kind, Metric metric)
    {
        // 37 queries: two full groups of 16 and a partial one; 1003 rows: blocks of 256, the last one ending in rows no 4- or 8-row tile covers.
        var vectors = Data.Clustered(1003, 24, clusters: 12, seed: 31);
        var queries = Data.Clustered(37, 24, clusters: 12, seed: 32);
        var index = Fill(Create(kind, 24, metric), vectors);
        var allowed = Enumerable.Range(0, 1003).Where(i => i % 3 != 0).Select(i => (long)i).ToHashSet();
        foreach (var options in new[] { new SearchOptions { Ef = 80 }, new SearchOptions { Ef = 80, Allowed = allowed } })
        {
            var batch = index.SearchBatch(queries, 10, options);
            Assert.Equal(queries.Length, batch.Count);
            for (var q = 0; q < queries.Length; q++)
            {
                var alone = index.Search(queries[q], 10, options);
                Assert.Equal(alone.Select(n => n.Key), batch[q].Select(n => n.Key));
                Assert.Equal(alone.Select(n => n.Distance), batch[q].Select(n => n.Distance), (a, b) => Math.Abs(a - b) <= 1e-4 * Math.Max(1, Math.Abs(a)));
            }
        }
        Assert.Equal(index.Search(queries[1], 2000, new SearchOptions { Ef = 2000 }).Count, index.SearchBatch(queries[..2], 2000, new SearchOptions { Ef = 2000 })[1].Count);
        if (kind == "flat")
        {
            Assert.Equal(1003, index.SearchBatch(queries[..2], 2000)[1].Count);
        }
        Assert.Empty(index.SearchBatch([], 10));
    }

    [Fact]
    public void A_large_flat_scan_split_over_the_cores_finds_the_same_neighbours()
    {
        var vectors = Data.Gaussian(70_000, 8, seed: 33);
        var flat = Fill(new FlatIndex(8, Metric.L2), vectors);
        foreach (var query in Data.Gaussian(5, 8, seed: 34))
        {
            var expected = vectors.Select((v, i) => (Key: (long)i, Distance: v.Zip(query, (a, b) => (a - b) * (a - b)).Sum()))
                .OrderBy(e => e.Distance).Take(10).Select(e => e.Key);
            Assert.Equal(expected, flat.Search(query, 10).Select(n => n.Key));
        }
    }

    [Fact]
    public void Compaction_drops_tombstones_and_keeps_every_live_vector_findable()
    {
        var vectors = Data.Clustered(3000, 24, 30, seed: 5);
        var hnsw = (HnswIndex)Fill(Create("hnsw", 24, Metric.Cosine), vectors);
        var oracle = new FlatIndex(24, Metric.Cosine);
        for (var i = 0; i < vectors.Length; i++)
        {
            if (i % 3 == 0)
            {
                Assert.True(hnsw.Remove(i));
            }
            else
            {
                oracle.Add(i, vectors[i]);
            }
        }
        hnsw.Add(1, vectors[2]);
        oracle.Add(1, vectors[2]);
        var queries = Data.Clustered(100, 24, 30, seed: 6);
        var memoryBefore = hnsw.MemoryBytes;
        Assert.Equal(1001, hnsw.Tombstones);

        Assert.Equal(1001, hnsw.Compact());

        Assert.Equal((0, 2000), (hnsw.Tombstones, hnsw.Count));
        Assert.True(hnsw.MemoryBytes < memoryBefore * 0.75, $"{hnsw.MemoryBytes} bytes after, {memoryBefore} before");
        Assert.Equal(oracle.Entries().OrderBy(e => e.Key).Select(e => e.Key), hnsw.Entries().OrderBy(e => e.Key).Select(e => e.Key));
        Assert.Equal([1L, 2], hnsw.Search(vectors[2], 2).Select(n => n.Key).Order());
        Assert.DoesNotContain(hnsw.Search(vectors[3], 20), n => n.Key % 3 == 0 && n.Key != 0);
        var recall = Recall(hnsw, oracle, queries, 10, new SearchOptions { Ef = 100 });
        Assert.True(recall >= 0.95, $"recall@10 after compaction {recall:0.000}");
        Assert.Equal(0, hnsw.Compact());
        hnsw.Add(3000, vectors[0]);
        Assert.Equal(3000, hnsw.Search(vectors[0], 1)[0].Key);
    }

    [Fact]
    public async Task A_compaction_serves_searches_inserts_and_removals_while_it_rebuilds_and_keeps_them()
    {
        var vectors = Data.Clustered(2001, 24, 30, seed: 7);
        var hnsw = (HnswIndex)Fill(Create("hnsw", 24, Metric.L2), vectors[..2000]);
        for (var i = 0; i < 2000; i += 2)
        {
            hnsw.Remove(i);
        }
        using var rebuilt = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        hnsw.WhileCompacting = () =>
        {
            rebuilt.Set();
            release.Wait();
        };
        var compaction = Task.Run(hnsw.Compact);
        Assert.True(rebuilt.Wait(TimeSpan.FromMinutes(1)), "the compaction never finished its rebuild");
        // The new graph is built and waits to be swapped in; the index must serve meanwhile (a generous limit only
        // tells a call that waits for the compaction from one that does not).
        var meanwhile = Task.Run(() =>
        {
            var found = hnsw.Search(vectors[1], 1)[0].Key;
            hnsw.Add(2000, vectors[2000]); // new
            hnsw.Add(3, vectors[4]); // replaced (by the vector of a removed key, so only 3 is that near)
            hnsw.Remove(7); // removed
            return found;
        });
        var served = await Task.WhenAny(meanwhile, Task.Delay(TimeSpan.FromMinutes(1))) == meanwhile;
        release.Set();
        Assert.Equal(1000, await compaction);
        Assert.True(served, "the index waited for the compaction");
        Assert.Equal(1, await meanwhile);

        // 1,000 odd keys, one added, one removed; the replaced and the removed key are the new graph's only tombstones.
        Assert.Equal((1000, 2), (hnsw.Count, hnsw.Tombstones));
        Assert.Equal(2000, hnsw.Search(vectors[2000], 1)[0].Key);
        Assert.Equal(3, hnsw.Search(vectors[4], 1)[0].Key);
        Assert.DoesNotContain(hnsw.Entries(), e => e.Key == 7 || (e.Key % 2 == 0 && e.Key != 2000));
    }
}
