using Spectre.Console;
using Tsunami.Engine.Enrichment;

namespace Tsunami.Cli.Output;

internal static class EnrichmentSummary
{
    public static object ToJson(EnrichResult result) => new
    {
        enriched = result.Enriched,
        failed = result.Failed,
        errors = result.Errors,
        seconds = Math.Round(result.Elapsed.TotalSeconds, 3),
        stageSeconds = result.StageTimes.ToDictionary(s => s.Key, s => Math.Round(s.Value.TotalSeconds, 3)),
    };

    public static void Write(IAnsiConsole console, EnrichResult result)
    {
        var seconds = Math.Max(result.Elapsed.TotalSeconds, 0.001);
        console.MarkupLineInterpolated(
            $"[bold]Enriched {result.Enriched} photo(s)[/] in {seconds:0.0} s ({result.Enriched / seconds:0.0} photos/s); {result.Failed} failed");
        if (result.StageTimes.Count > 0)
        {
            console.MarkupLineInterpolated($"  time per stage: {string.Join(", ", result.StageTimes.OrderBy(s => s.Key).Select(s => $"{s.Key} {s.Value.TotalSeconds:0.00} s"))}");
        }
        foreach (var error in result.Errors)
        {
            console.MarkupLineInterpolated($"  [red]failed[/] {IngestSummary.Printable(error.Path)}: {error.Reason}");
        }
    }
}
