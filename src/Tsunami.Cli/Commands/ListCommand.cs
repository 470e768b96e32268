using System.CommandLine;
using Spectre.Console;
using Tsunami.Cli.Output;
using Tsunami.Core.Storage;
using Tsunami.Engine.Views;

namespace Tsunami.Cli.Commands;

internal static class ListCommand
{
    private static readonly Option<string?> Collection = new("--collection", "-c") { Description = "Only this collection" };

    private static readonly Option<int> Limit = new("--limit", "-n")
    {
        Description = "How many assets to list, newest ingest first",
        DefaultValueFactory = _ => 50,
    };

    private static readonly Option<int> Offset = new("--offset") { Description = "Skip this many first" };

    public static Command Create()
    {
        Limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 100_000)
            {
                result.AddError("--limit must be between 1 and 100000");
            }
        });
        Offset.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--offset cannot be negative");
            }
        });
        var command = new Command("ls", "List stored assets") { Collection, Limit, Offset };
        command.SetAction(CliAction.Of(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var assets = await context.Get<IAssetStore>().ListAssetsAsync(new AssetQuery
        {
            Collection = context.ParseResult.GetValue(Collection),
            Limit = context.ParseResult.GetValue(Limit),
            Offset = context.ParseResult.GetValue(Offset),
        }, cancellationToken);

        if (context.Json)
        {
            JsonOutput.Write(new { count = assets.Count, assets = assets.Select(a => AssetView.From(a, withMetadata: false)) });
            return 0;
        }
        if (assets.Count == 0)
        {
            context.Console.WriteLine("No assets.");
            return 0;
        }
        var table = new Table().Border(TableBorder.Simple).AddColumns("id", "collection", "size", "taken", "path");
        foreach (var asset in assets)
        {
            table.AddRow(
                Markup.Escape(asset.Id.ToString()),
                Markup.Escape(asset.Collection),
                $"{asset.Width}×{asset.Height} {asset.Format}",
                asset.Capture.TakenAt?.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) ?? "",
                Markup.Escape(IngestSummary.Printable(asset.Path)));
        }
        context.Console.Write(table);
        return 0;
    }
}
