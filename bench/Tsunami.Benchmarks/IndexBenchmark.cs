using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Tsunami.Vectors;

namespace Tsunami.Benchmarks;

/// <summary>
/// The vector index on GloVe-100 (331K base vectors, 10K queries, cosine): build time and memory, the recall@10 /
/// QPS curve over an ef sweep at 1 and 2 threads, filtered search at 1/10/50 % selectivity, and exact flat search.
/// </summary>
internal static class IndexBenchmark
{
    private static readonly Option<string> Efs = new("--efs") { Description = "ef values of the sweep", DefaultValueFactory = _ => "40,80,160,200,320,640,800" };
    private static readonly Option<int> M = new("--m") { Description = "HNSW M", DefaultValueFactory = _ => 16 };
    private static readonly Option<int> EfConstruction = new("--ef-construction") { Description = "HNSW ef_construction", DefaultValueFactory = _ => 200 };
    private static readonly Option<int> Limit = new("--base") { Description = "Use only the first N base vectors (0: all); more than the dataset holds grows it with noisy copies", DefaultValueFactory = _ => 0 };
    private static readonly Option<string> Variants = new("--variants") { Description = "Which of flat, flat-f32, hnsw-f32, hnsw-int8 to measure", DefaultValueFactory = _ => "flat,flat-f32,hnsw-f32,hnsw-int8" };
    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object" };
    private static readonly Option<bool> Rebuild = new("--rebuild") { Description = "Build the graphs again instead of opening the ones a previous run saved" };
    private static readonly Option<int> Repeat = new("--repeat") { Description = "Time each point this many times and report the median", DefaultValueFactory = _ => 1 };
    private static readonly Option<bool> Hnswlib = new("--hnswlib") { Description = "Also run hnswlib (C++) on the same files, each ef right after Tsunami's, and compare QPS at equal recall" };
    private static readonly Option<int> HnswlibM = new("--hnswlib-m") { Description = "hnswlib's M; 16 as in the issue's figures", DefaultValueFactory = _ => 16 };
    private static readonly Option<int?> HnswlibEfConstruction = new("--hnswlib-ef-construction") { Description = "hnswlib's ef_construction (default: --ef-construction)" };
    private static readonly Option<string?> HnswlibEfs = new("--hnswlib-efs") { Description = "hnswlib's ef sweep (default: --efs); its i-th point is timed right after Tsunami's i-th" };

    public static Command Create()
    {
        var command = new Command("index", "Vector index build, memory and recall@10/QPS curve on GloVe-100") { Efs, M, EfConstruction, Limit, Variants, Json, Rebuild, Repeat, Hnswlib, HnswlibM, HnswlibEfConstruction, HnswlibEfs };
        command.SetAction(parse =>
        {
            var json = parse.GetValue(Json);
            void Log(string line)
            {
                if (!json)
                {
                    Console.WriteLine(line);
                }
            }
            var data = AnnDataset.Ensure(Log);
            if (parse.GetValue(Limit) > data.BaseCount)
            {
                data = data.GrownTo(parse.GetValue(Limit));
                Log($"grown to {data.BaseCount:N0} base vectors with noisy copies (scale run; ground truth computed on the grown base)");
            }
            var n = parse.GetValue(Limit) is > 0 and var limit ? Math.Min(limit, data.BaseCount) : data.BaseCount;
            var truth = n == data.BaseCount && data.Truth.Length > 0 ? data.Truth : null;
            Log($"GloVe-100: {n:N0} base vectors of {data.Dimensions}, {data.QueryRows:N0} queries, cosine; {Environment.ProcessorCount} cores");

            var variants = parse.GetValue(Variants)!.Split(',').ToHashSet(StringComparer.Ordinal);
            var repeat = Math.Max(1, parse.GetValue(Repeat));
            var builds = new List<object>();
            var points = new List<object>();

            var flat = new FlatIndex(data.Dimensions, Metric.Cosine);
            var flatBuild = Time(() => AddAll(flat, data, n));
            truth ??= [.. flat.SearchBatch([.. Enumerable.Range(0, data.QueryRows).Select(q => data.Query(q).ToArray())], 10).Select(hits => hits.Select(h => (int)h.Key).ToArray())];
            if (variants.Contains("flat"))
            {
                MeasureFlat("flat", flat, flatBuild, data, n, truth, repeat, builds, points, Log);
            }
            if (variants.Contains("flat-f32"))
            {
                var scored = new FlatIndex(data.Dimensions, Metric.Cosine, screen: false);
                MeasureFlat("flat-f32", scored, Time(() => AddAll(scored, data, n)), data, n, truth, repeat, builds, points, Log);
            }

            using var reference = parse.GetValue(Hnswlib) && variants.Any(v => v.StartsWith("hnsw-", StringComparison.Ordinal)) ? OpenReference(data, n, parse.GetValue(HnswlibM), parse.GetValue(HnswlibEfConstruction) ?? parse.GetValue(EfConstruction), parse.GetValue(Rebuild), parse.GetValue(Limit), builds, Log) : null;
            HnswIndex? hnsw = null; // filtered search runs on the first HNSW variant measured
            var filteredVariant = "";
            var opened = new List<IDisposable>(); // kept open: an int8 index reads its float32 rows from the snapshot
            foreach (var (variant, int8) in new[] { ("hnsw-f32", false), ("hnsw-int8", true) }.Where(v => variants.Contains(v.Item1)))
            {
                var options = new HnswOptions { M = parse.GetValue(M), EfConstruction = parse.GetValue(EfConstruction), Int8 = int8 };
                var (durable, index, build, open) = BuildOrOpen(data, n, options, Path.Combine(data.Folder, $"{variant}-m{options.M}-efc{options.EfConstruction}-n{n}"), parse.GetValue(Rebuild));
                if (hnsw is null)
                {
                    (hnsw, filteredVariant) = (index, variant);
                }
                opened.Add(durable);
                opened.Add(index);
                var raw = (long)n * data.Dimensions * 4;
                builds.Add(new
                {
                    variant, seconds = build is { } b ? Math.Round(b, 1) : (double?)null, openSeconds = Math.Round(open, 2),
                    memoryBytes = index.MemoryBytes, memoryToRaw = Math.Round((double)index.MemoryBytes / raw, 2), searchBytesPerVector = index.SearchBytesPerVector,
                });
                var built = build is { } seconds ? $"built in {seconds:0.0} s ({n / seconds:0} inserts/s), snapshot opened in {open:0.00} s" : $"opened from a previous run's snapshot in {open:0.00} s";
                Log($"{variant} (M {options.M}, ef_construction {options.EfConstruction}, {options.BuildThreads} build threads): {built}, " +
                    $"{index.MemoryBytes / 1e6:0} MB in all = {(double)index.MemoryBytes / raw:0.00}× the raw float32; a search reads {index.SearchBytesPerVector} B a vector " +
                    $"({index.SearchBytesPerVector / (data.Dimensions * 4.0):0.00}× float32)");
                Log($"  {"ef",5} {"recall@10",10} {"QPS 1 thread",13} {"QPS 2 threads",14}" + (reference is null ? "" : $" {"hnswlib: ef",12} {"recall@10",10} {"QPS 1 thread",13}"));
                var efs = parse.GetValue(Efs)!.Split(',').Select(e => int.Parse(e, CultureInfo.InvariantCulture)).ToList();
                // Untimed, on one thread and two: the first timed pass after an open measured 40 % slower than the next.
                var warm = new SearchOptions { Ef = efs[0] };
                Parallel.For(0, data.QueryRows, new ParallelOptions { MaxDegreeOfParallelism = 1 }, q => index.Search(data.Query(q), 10, warm));
                Parallel.For(0, data.QueryRows, new ParallelOptions { MaxDegreeOfParallelism = 2 }, q => index.Search(data.Query(q), 10, warm));
                var swept = new List<(int Ef, double Recall, double One, double Two)>();
                var hnswlibEfs = parse.GetValue(HnswlibEfs) is { } listed ? listed.Split(',').Select(e => int.Parse(e, CultureInfo.InvariantCulture)).ToList() : efs;
                var hnswlibCurve = new List<(double Recall, double Qps)>();
                // Tsunami's one-thread passes alternate with hnswlib's, so both medians come from the same minutes.
                string Sweep(int? ef, int? theirEf)
                {
                    var search = new SearchOptions { Ef = ef ?? 0 };
                    var (ours, theirs) = (new List<double>(), new List<(double Recall, double Qps)>());
                    for (var r = 0; r < repeat; r++)
                    {
                        if (ef is not null)
                        {
                            ours.Add(Time(() => { for (var q = 0; q < data.QueryRows; q++) { index.Search(data.Query(q), 10, search); } }));
                        }
                        if (theirEf is { } e)
                        {
                            theirs.Add(reference!.Search(e));
                        }
                    }
                    var line = "";
                    if (ef is not null)
                    {
                        var recall = Recall(index, data, truth, data.QueryRows, search);
                        var one = data.QueryRows / MedianOf(ours);
                        var two = data.QueryRows / Median(repeat, () => Parallel.For(0, data.QueryRows, new ParallelOptions { MaxDegreeOfParallelism = 2 }, q => index.Search(data.Query(q), 10, search)));
                        swept.Add((ef.Value, recall, one, two));
                        line = $"  {ef,5} {recall,10:0.000} {one,13:0} {two,14:0}";
                    }
                    else
                    {
                        line = $"  {"",5} {"",10} {"",13} {"",14}";
                    }
                    if (theirEf is { } their)
                    {
                        var (recall, qps) = (theirs[0].Recall, MedianOf(theirs.Select(t => t.Qps)));
                        hnswlibCurve.Add((recall, qps));
                        points.Add(new { variant = "hnswlib", threads = 1, ef = their, recall_at_10 = Math.Round(recall, 4), qps = Math.Round(qps), beside = variant });
                        line += $" {their,12} {recall,10:0.000} {qps,13:0}";
                    }
                    return line;
                }
                for (var i = 0; i < Math.Max(efs.Count, reference is null ? 0 : hnswlibEfs.Count); i++)
                {
                    Log(Sweep(i < efs.Count ? efs[i] : null, reference is not null && i < hnswlibEfs.Count ? hnswlibEfs[i] : null));
                }
                foreach (var (ef, recall, one, two) in swept)
                {
                    var times = reference is null ? null : HnswlibReference.QpsAt(hnswlibCurve, recall) is { } at ? Math.Round(one / at, 2) : (double?)null;
                    points.Add(new { variant, threads = 1, ef, recall_at_10 = Math.Round(recall, 4), qps = Math.Round(one), times_hnswlib = times });
                    points.Add(new { variant, threads = 2, ef, recall_at_10 = Math.Round(recall, 4), qps = Math.Round(two), times_hnswlib = (double?)null });
                }
                if (reference is not null)
                {
                    Log($"  one thread against hnswlib at the same recall (its curve measured between these points): " + string.Join(", ", swept.Select(p =>
                        HnswlibReference.QpsAt(hnswlibCurve, p.Recall) is { } at ? $"ef {p.Ef} ({p.Recall:0.000}) {p.One / at:0.00}×" : $"ef {p.Ef} ({p.Recall:0.000}) outside its curve")));
                }
            }

            var filtered = new List<object>();
            if (hnsw is null)
            {
                Print(json, data, n, builds, points, filtered);
                opened.ForEach(d => d.Dispose());
                return 0;
            }
            Log($"  filtered on {filteredVariant} (ef 64, 1,000 queries): selectivity, recall@10 against exact filtered search, QPS");
            foreach (var selectivity in new[] { 0.01, 0.10, 0.50 })
            {
                var allowed = Enumerable.Range(0, n).Where(i => (uint)(i * 2654435761u) % 10_000 < selectivity * 10_000).Select(i => (long)i).ToHashSet();
                var options = new SearchOptions { Ef = 64, Allowed = allowed };
                const int queries = 1000;
                var exact = Enumerable.Range(0, queries).Select(q => flat.Search(data.Query(q), 10, options).Select(h => h.Key).ToHashSet()).ToList();
                var hits = 0;
                var seconds = Time(() =>
                {
                    for (var q = 0; q < queries; q++)
                    {
                        hits += hnsw!.Search(data.Query(q), 10, options).Count(h => exact[q].Contains(h.Key));
                    }
                });
                var recall = hits / (double)exact.Sum(e => e.Count);
                filtered.Add(new { variant = filteredVariant, selectivity, ef = 64, recall_at_10 = Math.Round(recall, 4), qps = Math.Round(queries / seconds) });
                Log($"  {selectivity,5:P0} {recall,10:0.000} {queries / seconds,13:0}");
            }

            Print(json, data, n, builds, points, filtered);
            opened.ForEach(d => d.Dispose());
            return 0;
        });
        return command;
    }

    /// <summary>hnswlib beside the HNSW variants, on the whole dataset as written (its files are what the C++ reads).</summary>
    private static HnswlibReference? OpenReference(AnnDataset data, int n, int m, int efConstruction, bool rebuild, int limit, List<object> builds, Action<string> log)
    {
        if (limit != 0 || data.Truth.Length == 0)
        {
            log("hnswlib: runs on the whole dataset only (no --base); skipped");
            return null;
        }
        var reference = HnswlibReference.Open(data, n, m, efConstruction, rebuild);
        reference.Search(40); // untimed: its first pass after opening is slower, as Tsunami's is
        var raw = (long)n * data.Dimensions * sizeof(float);
        builds.Add(new { variant = "hnswlib", seconds = reference.BuildSeconds is { } b ? Math.Round(b, 1) : (double?)null, memoryBytes = reference.MemoryBytes, memoryToRaw = Math.Round((double)reference.MemoryBytes / raw, 2) });
        var built = reference.BuildSeconds is { } seconds ? $"built in {seconds:0.0} s ({n / seconds:0} inserts/s)" : "opened from a previous run's file";
        log($"hnswlib (C++, Debian's libhnswlib-dev, -O3 -march=native; M {m}, ef_construction {efConstruction}, {Environment.ProcessorCount} build threads): {built}, " +
            $"{reference.MemoryBytes / 1e6:0} MB = {(double)reference.MemoryBytes / raw:0.00}× the raw float32");
        return reference;
    }

    private static void Print(bool json, AnnDataset data, int n, List<object> builds, List<object> points, List<object> filtered)
    {
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new { dataset = new { n, dim = data.Dimensions, folder = data.Folder }, builds, points, filtered }));
        }
    }

    /// <summary>
    /// Exact search one query at a time (each scan split over the cores) and all queries in one batch; "flat" screens
    /// rows on int8 codes first (where the CPU has AVX-VNNI), "flat-f32" scores every row on float32.
    /// </summary>
    private static void MeasureFlat(string variant, FlatIndex flat, double build, AnnDataset data, int n, int[][] truth, int repeat, List<object> builds, List<object> points, Action<string> log)
    {
        var queries = Math.Min(1000, data.QueryRows);
        var batch = Enumerable.Range(0, data.QueryRows).Select(q => data.Query(q).ToArray()).ToList();
        flat.SearchBatch(batch.GetRange(0, Math.Min(200, batch.Count)), 10); // warm-up, untimed: the first calls run before the JIT has optimised the scans
        for (var q = 0; q < 50; q++)
        {
            flat.Search(data.Query(q), 10);
        }
        var seconds = Median(repeat, () => { for (var q = 0; q < queries; q++) { flat.Search(data.Query(q), 10); } });
        var scoredBefore = flat.ScoredRows;
        var recall = Recall(flat, data, truth, queries, SearchOptions.Default);
        var scored = (double)(flat.ScoredRows - scoredBefore) / queries;
        IReadOnlyList<IReadOnlyList<Neighbor>> batched = [];
        var batchSeconds = Median(repeat, () => batched = flat.SearchBatch(batch, 10));
        var batchRecall = batched.Select((hits, q) => hits.Count(h => truth[q].Take(10).Contains((int)h.Key))).Sum() / (10.0 * batch.Count);
        var cores = Environment.ProcessorCount;
        builds.Add(new { variant, seconds = Math.Round(build, 2), memoryBytes = flat.MemoryBytes });
        points.Add(new { variant, threads = cores, ef = 0, recall_at_10 = Math.Round(recall, 4), qps = Math.Round(queries / seconds) });
        points.Add(new { variant = $"{variant}-batch", threads = cores, ef = 0, recall_at_10 = Math.Round(batchRecall, 4), qps = Math.Round(batch.Count / batchSeconds) });
        var memory = (double)flat.MemoryBytes / ((long)n * data.Dimensions * sizeof(float));
        var screening = flat.Screens ? "int8 screening" : "every row on float32" + (variant == "flat" ? " (no AVX-VNNI here: no screening)" : "");
        log($"{variant} ({screening}): exact, {queries / seconds:0} QPS one query at a time (each scan split over {cores} cores), recall@10 {recall:0.000}; {memory:0.00}× the raw float32 bytes; {scored:N0} rows a query scored on float32");
        log($"{variant}: exact, {batch.Count / batchSeconds:0} QPS for {batch.Count:N0} queries in one batch, recall@10 {batchRecall:0.000}");
    }

    /// <summary>
    /// Opens the graph a previous run saved (a durable index's snapshot), or builds it, saves it and opens it back:
    /// either way the open time of a snapshot of this size is measured, and sweeps need not rebuild.
    /// </summary>
    private static (DurableVectorIndex Durable, HnswIndex Index, double? BuildSeconds, double OpenSeconds) BuildOrOpen(AnnDataset data, int n, HnswOptions options, string folder, bool rebuild)
    {
        double? build = null;
        if (rebuild || !Directory.Exists(folder))
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
            var fresh = new HnswIndex(data.Dimensions, Metric.Cosine, options);
            build = Time(() => AddAll(fresh, data, n));
            using var saved = DurableVectorIndex.Open(folder, () => fresh);
            saved.Checkpoint();
        }
        var index = new HnswIndex(data.Dimensions, Metric.Cosine, options);
        DurableVectorIndex? durable = null;
        var open = Time(() => durable = DurableVectorIndex.Open(folder, () => index));
        return (durable!, index, build, open);
    }

    private static void AddAll(IVectorIndex index, AnnDataset data, int n)
    {
        if (index is HnswIndex hnsw)
        {
            hnsw.AddRange([.. Enumerable.Range(0, n).Select(i => ((long)i, data.BaseRow(i).ToArray()))]);
            return;
        }
        for (var i = 0; i < n; i++)
        {
            index.Add(i, data.BaseRow(i));
        }
    }

    private static double Recall(IVectorIndex index, AnnDataset data, int[][] truth, int queries, SearchOptions options)
    {
        var hits = 0;
        for (var q = 0; q < queries; q++)
        {
            var expected = truth[q].Take(10).ToHashSet();
            hits += index.Search(data.Query(q), 10, options).Count(h => expected.Contains((int)h.Key));
        }
        return hits / (10.0 * queries);
    }

    /// <summary>The median of <paramref name="runs"/> timings: this machine is shared, and single runs vary by a quarter.</summary>
    private static double Median(int runs, Action action) => MedianOf(Enumerable.Range(0, runs).Select(_ => Time(action)));

    private static double MedianOf(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }
}
