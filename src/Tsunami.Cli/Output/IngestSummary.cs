using Spectre.Console;
using Tsunami.Engine.Ingest;

namespace Tsunami.Cli.Output;

internal static class IngestSummary
{
    public static void Write(IAnsiConsole console, IngestResult result)
    {
        var seconds = Math.Max(result.Elapsed.TotalSeconds, 0.001);
        console.MarkupLineInterpolated(
            $"[bold]Ingested {result.Ingested} photo(s)[/] ({result.BytesIngested / 1e6:0.0} MB) into '{result.Collection}' in {seconds:0.0} s ({result.Ingested / seconds:0.0} photos/s)");
        console.MarkupLineInterpolated(
            $"  {result.Duplicates} duplicate(s) skipped, {result.Failed} failed, {result.Skipped} skipped (not photos), {result.NearDuplicateLinks} near-duplicate link(s)");
        if (result.Recovery.InterruptedJobs > 0)
        {
            console.MarkupLineInterpolated(
                $"  recovered from {result.Recovery.InterruptedJobs} interrupted ingest(s): {result.Recovery.OrphanBlobs} unreferenced blob(s) removed");
        }
        foreach (var error in result.Errors)
        {
            console.MarkupLineInterpolated($"  [red]failed[/] {Printable(error.Path)}: {error.Reason}");
        }
        if (result.Status == Core.Ingest.IngestJobStatus.Cancelled)
        {
            console.MarkupLine("[yellow]Cancelled: what was processed is stored; run the same ingest again to finish.[/]");
        }
    }

    /// <summary>A path on one line: control characters (a newline in a file name) shown escaped.</summary>
    public static string Printable(string path) =>
        string.Concat(path.Select(c => char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString()));
}
