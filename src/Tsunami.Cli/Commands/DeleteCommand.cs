using System.CommandLine;
using Spectre.Console;
using Tsunami.Cli.Output;
using Tsunami.Core.Assets;
using Tsunami.Core.Storage;
using Tsunami.Engine.Deletion;

namespace Tsunami.Cli.Commands;

internal static class DeleteCommand
{
    private static readonly Argument<string[]> Assets = new("asset")
    {
        Description = "Assets to delete: ids (or their first 8+ digits) or the paths they were ingested from",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<string?> Collection = new("--collection", "-c") { Description = "Delete this whole collection instead" };

    public static Command Create()
    {
        var command = new Command("delete", "Delete assets, or a whole collection, with everything found in them and the files only they used") { Assets, Collection };
        command.SetAction(CliAction.Of(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var keys = context.ParseResult.GetValue(Assets) ?? [];
        var collection = context.ParseResult.GetValue(Collection);
        if ((keys.Length == 0) == (collection is null))
        {
            throw new ArgumentException("name the assets to delete, or a collection with --collection, not both");
        }
        var deletion = context.Get<DeletionService>();
        DeletionResult result;
        if (collection is not null)
        {
            result = await deletion.DeleteCollectionAsync(collection, cancellationToken)
                ?? throw new KeyNotFoundException($"no collection is named '{collection}'");
        }
        else
        {
            // Every name is resolved before anything is deleted: one unknown name deletes nothing.
            var store = context.Get<IAssetStore>();
            var ids = new List<AssetId>();
            foreach (var key in keys)
            {
                ids.Add((await store.FindAssetAsync(key, cancellationToken))?.Id
                    ?? throw new KeyNotFoundException($"no asset with the id or path '{key}'; nothing was deleted"));
            }
            result = await deletion.DeleteAssetsAsync(ids, cancellationToken);
        }
        if (context.Json)
        {
            JsonOutput.Write(new { collection, deletedAssets = result.Assets, deletedFiles = result.Blobs });
        }
        else
        {
            context.Console.MarkupLineInterpolated($"deleted {result.Assets} asset{(result.Assets == 1 ? "" : "s")}{(collection is null ? "" : $" and the collection {collection}")}; {result.Blobs} file{(result.Blobs == 1 ? "" : "s")} freed");
        }
        return 0;
    }
}
