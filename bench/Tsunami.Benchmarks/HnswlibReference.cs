using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Tsunami.TestKit;

namespace Tsunami.Benchmarks;

/// <summary>
/// hnswlib (C++, bench/hnswlib/reference.cpp, built by scripts/hnswlib-reference.sh) on the dataset's own files, so
/// that Tsunami's index and the library it is measured against run on one machine in one run.
/// </summary>
internal sealed class HnswlibReference : IDisposable
{
    private readonly Process _process;

    private HnswlibReference(Process process) => _process = process;

    public double? BuildSeconds { get; private set; }
    public long MemoryBytes { get; private set; }

    /// <summary>Builds the program, then builds and saves the graph (or opens the one a previous run saved) in a process kept for the searches.</summary>
    public static HnswlibReference Open(AnnDataset data, int n, int m, int efConstruction, bool rebuild)
    {
        var script = Path.Combine(RepositoryPaths.Root, "scripts", "hnswlib-reference.sh");
        var program = RunToEnd(script).Trim();
        var file = Path.Combine(data.Folder, $"hnswlib-m{m}-efc{efConstruction}-n{n}.bin");
        if (rebuild)
        {
            File.Delete(file);
        }
        var start = new ProcessStartInfo(program) { RedirectStandardInput = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { data.Folder, $"{n}", $"{m}", $"{efConstruction}", file })
        {
            start.ArgumentList.Add(argument);
        }
        var reference = new HnswlibReference(Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}"));
        try
        {
            var opened = reference.ReadLine();
            var build = opened.GetProperty("build_seconds").GetDouble();
            reference.BuildSeconds = build >= 0 ? build : null;
            reference.MemoryBytes = opened.GetProperty("memory_bytes").GetInt64();
            return reference;
        }
        catch
        {
            reference.Dispose();
            throw;
        }
    }

    /// <summary>Recall@10 and QPS of one one-thread pass over every query at this ef.</summary>
    public (double Recall, double Qps) Search(int ef)
    {
        _process.StandardInput.WriteLine(ef.ToString(CultureInfo.InvariantCulture));
        _process.StandardInput.Flush();
        var point = ReadLine();
        return (point.GetProperty("recall_at_10").GetDouble(), point.GetProperty("qps").GetDouble());
    }

    /// <summary>Ends the program (its input closed, it exits; killed if it does not within seconds).</summary>
    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // it has already exited
        }
        if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            _process.Kill();
        }
        _process.Dispose();
    }

    /// <summary>
    /// hnswlib's QPS at <paramref name="recall"/>, read off its curve between the two points around it (null
    /// outside the curve): how a point of Tsunami's compares at the same recall. A point timed in one of this
    /// machine's slow spells can come out slower than one of higher recall; the curve takes at each point the best
    /// QPS hnswlib reached at that recall or higher, so such a spell never flatters Tsunami.
    /// </summary>
    public static double? QpsAt(IReadOnlyList<(double Recall, double Qps)> curve, double recall)
    {
        var sorted = curve.OrderBy(p => p.Recall).ToList();
        for (var i = sorted.Count - 2; i >= 0; i--)
        {
            sorted[i] = (sorted[i].Recall, Math.Max(sorted[i].Qps, sorted[i + 1].Qps));
        }
        for (var i = 1; i < sorted.Count; i++)
        {
            var (low, high) = (sorted[i - 1], sorted[i]);
            if (recall >= low.Recall && recall <= high.Recall)
            {
                var t = high.Recall == low.Recall ? 0 : (recall - low.Recall) / (high.Recall - low.Recall);
                return low.Qps + (t * (high.Qps - low.Qps));
            }
        }
        return null;
    }

    private JsonElement ReadLine()
    {
        var line = _process.StandardOutput.ReadLine()
            ?? throw new InvalidOperationException($"the hnswlib reference stopped (exit code {(_process.WaitForExit(5000) ? _process.ExitCode : -1)})");
        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }

    private static string RunToEnd(string program)
    {
        using var process = Process.Start(new ProcessStartInfo(program) { RedirectStandardOutput = true }) ?? throw new InvalidOperationException($"cannot start {program}");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({process.ExitCode})");
    }
}
