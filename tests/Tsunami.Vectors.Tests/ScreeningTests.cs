namespace Tsunami.Vectors.Tests;

/// <summary>
/// The flat index's int8 screening must give exactly the answers of one query's float32 scan: same keys, same
/// order, same distances, for every metric, filters, batches, upserts and removals, rows the codes cannot tell apart
/// and ties. Without AVX-VNNI (the scalar rerun) both indexes score every row, and the tests say which path ran.
/// </summary>
public sealed class ScreeningTests
{
    public static TheoryData<Metric, string> Cases() => new()
    {
        { Metric.Cosine, "gaussian" }, { Metric.Dot, "gaussian" }, { Metric.L2, "gaussian" },
        { Metric.Cosine, "clustered" }, { Metric.Dot, "clustered" }, { Metric.L2, "clustered" },
        { Metric.Dot, "large" }, { Metric.L2, "large" },
    };

    private static float[][] Vectors(string shape, int count, int dimensions, int seed) => shape switch
    {
        "clustered" => Data.Clustered(count, dimensions, clusters: 30, seed: seed),
        "large" => [.. Data.Gaussian(count, dimensions, seed).Select(v => v.Select(x => x * 1000).ToArray())],
        _ => Data.Gaussian(count, dimensions, seed),
    };

    private static (FlatIndex Screened, FlatIndex Scored) Pair(int dimensions, Metric metric, float[][] vectors)
    {
        var screened = new FlatIndex(dimensions, metric, screen: true);
        var scored = new FlatIndex(dimensions, metric, screen: false);
        for (var i = 0; i < vectors.Length; i++)
        {
            screened.Add(i, vectors[i]);
            scored.Add(i, vectors[i]);
        }
        return (screened, scored);
    }

    /// <summary>The same keys in the same order at the same distances (ties go to the lower row position in both).</summary>
    private static void AssertSame(IReadOnlyList<Neighbor> expected, IReadOnlyList<Neighbor> actual, string what)
    {
        static string Show(IEnumerable<Neighbor> hits) => string.Join(", ", hits.Select(n => $"{n.Key}:{n.Distance:R}"));
        Assert.True(expected.SequenceEqual(actual), $"{what}: expected {Show(expected)}; got {Show(actual)}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Screened_scans_answer_exactly_as_scoring_every_row(Metric metric, string shape)
    {
        const int count = 3000, dimensions = 37; // not a multiple of 4: the codes' padding is exercised
        var (screened, scored) = Pair(dimensions, metric, Vectors(shape, count, dimensions, seed: 21));
        var queries = Vectors(shape, 30, dimensions, seed: 22);
        foreach (var k in new[] { 1, 10, 100 })
        {
            foreach (var (query, q) in queries.Select((v, q) => (v, q)))
            {
                AssertSame(scored.Search(query, k), screened.Search(query, k), $"query {q}, k {k}");
            }
            var batch = screened.SearchBatch(queries, k);
            for (var q = 0; q < queries.Length; q++)
            {
                AssertSame(scored.Search(queries[q], k), batch[q], $"batched query {q}, k {k}");
            }
        }
        var searches = 3 * 2 * queries.Length;
        Assert.Equal((long)searches * count, scored.ScoredRows);
        // The screen ran and let through a fraction of the rows; where the CPU cannot run it, it scores them all.
        Assert.Equal(ScreeningCodes.IsSupported, screened.ScoredRows < searches * count / 4);
    }

    /// <summary>
    /// Rows a hair apart have the same codes: only the error bound keeps every one of them, and the float32 scores
    /// then order them. Ties (exact duplicates) come out in the order a full scan offers them.
    /// </summary>
    [Theory]
    [InlineData(Metric.Cosine)]
    [InlineData(Metric.Dot)]
    [InlineData(Metric.L2)]
    public void Rows_the_codes_cannot_tell_apart_are_ordered_by_their_float_scores(Metric metric)
    {
        const int dimensions = 64;
        var random = new Random(23);
        var centre = Data.Gaussian(1, dimensions, seed: 24)[0];
        float[] Near(float spread) => [.. centre.Select(c => c + (spread * (float)(random.NextDouble() - 0.5)))];
        var vectors = Data.Gaussian(2000, dimensions, seed: 25).Concat(Enumerable.Range(0, 500).Select(_ => Near(1e-3f)))
            .Concat(Enumerable.Repeat(Near(1e-3f), 5)).ToArray();
        var (screened, scored) = Pair(dimensions, metric, vectors);
        var queries = Enumerable.Range(0, 20).Select(_ => Near(1e-3f)).ToArray();
        foreach (var query in queries)
        {
            AssertSame(scored.Search(query, 10), screened.Search(query, 10), "near rows");
            AssertSame(scored.Search(query, 50), screened.Search(query, 50), "near rows, k 50");
        }
        // Filters: rows the query may not return must not tighten the bound that prunes the others.
        var allowed = new SearchOptions { Allowed = Enumerable.Range(0, vectors.Length).Where(i => i % 3 != 0).Select(i => (long)i).ToHashSet() };
        foreach (var query in queries)
        {
            AssertSame(scored.Search(query, 10, allowed), screened.Search(query, 10, allowed), "filtered");
        }
        var batch = screened.SearchBatch(queries, 10, allowed);
        for (var q = 0; q < queries.Length; q++)
        {
            AssertSame(scored.Search(queries[q], 10, allowed), batch[q], "filtered batch");
        }
    }

    /// <summary>
    /// The worst case the bound is for: a rounding residual lined up with the other vector. Row A's codes say it is
    /// the worse of the two by a code step, its true values the far better; a bound that left out the row's residual
    /// (first case) or the query's (second) would drop A before it is scored.
    /// </summary>
    [Theory]
    [InlineData(Metric.Cosine, "row")]
    [InlineData(Metric.Dot, "row")]
    [InlineData(Metric.L2, "row")]
    [InlineData(Metric.Cosine, "query")]
    [InlineData(Metric.Dot, "query")]
    [InlineData(Metric.L2, "query")]
    public void A_row_whose_codes_hide_that_it_is_nearest_is_still_found(Metric metric, string residual)
    {
        const int dimensions = 64;
        var random = new Random(29);
        var signs = Enumerable.Range(0, dimensions).Select(i => i == 0 ? 0f : random.Next(2) * 2 - 1).ToArray();
        // The first component (127) sets every scale to 1, so the codes are the rounded values themselves.
        float[] Vector(Func<int, float> rest) => [.. Enumerable.Range(0, dimensions).Select(i => i == 0 ? 127f : rest(i))];
        float[] query, a, b;
        if (residual == "row")
        {
            query = Vector(i => 100 * signs[i]); // exact codes
            a = Vector(i => 0.49f * signs[i]); // codes (127, 0, …): residual along the query
            b = Vector(i => i == 1 ? signs[i] : 0); // exact codes, one step nearer: a tight bound for A to beat
        }
        else
        {
            query = Vector(i => 0.49f * signs[i]); // codes (127, 0, …): the residual carries the query's direction
            a = Vector(i => 127 * signs[i]); // exact codes
            b = [.. Vector(i => -127 * signs[i]).Select((x, i) => i == 0 ? 128f : x)]; // 128 → scale 128/127: codes one step nearer
        }
        // Far on every metric: the queries point along the first axis, the noise the other way.
        var noise = Data.Gaussian(300, dimensions, seed: 30).Select(v => v.Select((x, i) => i == 0 ? x - 5000 : x).ToArray());
        // A last, alone in its block of eight rows, after the rows that set the bound: no neighbour lets its block through.
        var (screened, scored) = Pair(dimensions, metric, [.. Enumerable.Repeat(b, 20), .. noise, a]);
        Assert.Equal(320, scored.Search(query, 1)[0].Key); // the construction holds: A is the nearest
        AssertSame(scored.Search(query, 1), screened.Search(query, 1), $"{residual} residual");
        AssertSame(scored.Search(query, 1), screened.SearchBatch([query, query], 1)[1], $"{residual} residual, batched");
    }

    [Fact]
    public void Rows_a_filter_excludes_do_not_prune_the_rows_it_allows()
    {
        const int dimensions = 32;
        var query = Data.Gaussian(1, dimensions, seed: 31)[0];
        var others = Data.Gaussian(400, dimensions, seed: 32);
        var (screened, scored) = Pair(dimensions, Metric.L2, [.. Enumerable.Repeat(query, 5), .. others]);
        var allowed = new SearchOptions { Allowed = Enumerable.Range(5, others.Length).Select(i => (long)i).ToHashSet() };
        var hits = screened.Search(query, 3, allowed);
        Assert.Equal(3, hits.Count);
        AssertSame(scored.Search(query, 3, allowed), hits, "copies of the query filtered out");
        AssertSame(scored.Search(query, 3, allowed), screened.SearchBatch([query, query], 3, allowed)[0], "batched");
    }

    [Theory]
    [InlineData(Metric.Cosine)]
    [InlineData(Metric.L2)]
    public void Upserts_and_removals_keep_the_codes_in_step_with_the_rows(Metric metric)
    {
        const int dimensions = 24;
        var vectors = Data.Clustered(1500, dimensions, clusters: 10, seed: 26);
        var (screened, scored) = Pair(dimensions, metric, vectors);
        var replacements = Data.Clustered(301, dimensions, clusters: 10, seed: 27);
        for (var i = 0; i < 301; i++)
        {
            // Removal moves the last row into the hole (1,199 rows left: the last block holds stale rows); an upsert
            // rewrites a row in place.
            Assert.Equal(scored.Remove(i * 4), screened.Remove(i * 4));
            screened.Add((i * 4) + 1, replacements[i]);
            scored.Add((i * 4) + 1, replacements[i]);
        }
        Assert.Equal(1199, screened.Count);
        foreach (var query in Data.Clustered(30, dimensions, clusters: 10, seed: 28))
        {
            AssertSame(scored.Search(query, 10), screened.Search(query, 10), "after upserts and removals");
        }
    }

    [Fact]
    public void A_batch_larger_than_a_slab_of_queries_answers_each_query()
    {
        const int dimensions = 40;
        var (screened, scored) = Pair(dimensions, Metric.Cosine, Data.Clustered(2000, dimensions, clusters: 20, seed: 33));
        var queries = Data.Clustered(601, dimensions, clusters: 20, seed: 34); // 256 queries a slab: two and a bit
        var batch = screened.SearchBatch(queries, 10);
        for (var q = 0; q < queries.Length; q++)
        {
            AssertSame(scored.Search(queries[q], 10), batch[q], $"query {q}");
        }
    }

    [Fact]
    public void Of_rows_at_equal_distances_the_earlier_are_kept_whatever_order_they_come_in()
    {
        foreach (var order in new[] { new[] { 5, 3, 9, 1 }, [1, 9, 3, 5], [9, 5, 3, 1] })
        {
            var top = new TopK(2);
            foreach (var row in order)
            {
                top.Offer(row, 1f);
            }
            Assert.Equal([1, 3], top.Drain().Select(t => t.Item));
        }
    }

    [Fact]
    public void Zero_vectors_few_rows_and_k_beyond_the_count_are_answered_as_a_full_scan_would()
    {
        foreach (var metric in new[] { Metric.Cosine, Metric.Dot, Metric.L2 })
        {
            var vectors = new[] { new float[] { 0, 0, 0 }, [1, 2, 3], [0, 0, 0], [-1, 0, 5], [3, 3, 3] };
            var (screened, scored) = Pair(3, metric, vectors);
            foreach (var query in new[] { new float[] { 0, 0, 0 }, [1, 2, 3], [-5, 1, 0] })
            {
                AssertSame(scored.Search(query, 10), screened.Search(query, 10), $"{metric}");
                AssertSame(scored.Search(query, 2), screened.Search(query, 2), $"{metric}, k 2");
            }
        }
        var empty = new FlatIndex(3, Metric.Cosine, screen: true);
        Assert.Empty(empty.Search([1, 2, 3], 5));
        Assert.All(empty.SearchBatch([[1, 2, 3], [3, 2, 1]], 5), Assert.Empty);
    }
}
