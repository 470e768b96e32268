using System.CommandLine;
using Tsunami.Benchmarks;

var root = new RootCommand("Tsunami benchmarks: each prints its figures (text, or one JSON object with --json)")
{
    Subcommands = { IngestBenchmark.Create(), EnrichBenchmark.Create(), AskBenchmark.Create(), IndexBenchmark.Create(), InferBenchmark.Create(), ServeBenchmark.Create(), ClipBenchmark.Create() },
};
return await root.Parse(args).InvokeAsync();
