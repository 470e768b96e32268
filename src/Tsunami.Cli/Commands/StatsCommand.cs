using System.CommandLine;
using Spectre.Console;
using Tsunami.Cli.Output;
using Tsunami.Core.Storage;
using Tsunami.Storage;

namespace Tsunami.Cli.Commands;

internal static class StatsCommand
{
    public static Command Create()
    {
        var command = new Command("stats", "Show what the store holds");
        command.SetAction(CliAction.Of(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var stats = await context.Get<IAssetStore>().GetStatisticsAsync(cancellationToken);
        var dataDirectory = context.Get<DataDirectory>();
        if (context.Json)
        {
            JsonOutput.Write(new { dataDirectory = dataDirectory.Root, stats });
            return 0;
        }
        context.Console.MarkupLineInterpolated($"[bold]{dataDirectory.Root}[/]");
        var table = new Table().Border(TableBorder.Simple).AddColumns("collection", "assets", "originals");
        foreach (var collection in stats.Collections)
        {
            table.AddRow(Markup.Escape(collection.Name), $"{collection.Assets:N0}", $"{collection.OriginalBytes / 1e6:0.0} MB");
        }
        context.Console.Write(table);
        context.Console.MarkupLineInterpolated(
            $"{stats.Assets:N0} assets, {stats.OriginalBytes / 1e6:0.0} MB of originals, {stats.DerivedBytes / 1e6:0.0} MB of thumbnails and previews");
        context.Console.MarkupLineInterpolated(
            $"{stats.NearDuplicateLinks:N0} near-duplicate links, {stats.IngestJobs:N0} ingest jobs, {stats.IngestErrors:N0} files failed");
        return 0;
    }
}
