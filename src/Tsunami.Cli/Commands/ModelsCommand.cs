using System.CommandLine;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Tsunami.Cli.Output;
using Tsunami.Inference.Repository;

namespace Tsunami.Cli.Commands;

internal static class ModelsCommand
{
    public static Command Create()
    {
        var resolve = new Command("resolve", "Find every model of the manifest (shared folder, cache, else download) and check its SHA-256");
        resolve.SetAction(CliAction.Of(ResolveAsync));
        return new Command("models", "Manage the model files and the served models")
        {
            resolve, ServedModelsCommands.List(), ServedModelsCommands.Describe(), ServedModelsCommands.Load(), ServedModelsCommands.Unload(),
            ClipModelsCommands.Add(), ClipModelsCommands.Pull(),
        };
    }

    private static async Task<int> ResolveAsync(CliContext context, CancellationToken cancellationToken)
    {
        var options = context.Get<IOptions<ModelOptions>>().Value;
        var manifest = ModelManifest.Load(options.Manifest);
        var resolver = context.Get<ModelResolver>();
        var resolved = new List<ResolvedModel>();
        foreach (var model in manifest.Models)
        {
            resolved.Add(await resolver.ResolveAsync(model, cancellationToken));
        }
        if (context.Json)
        {
            JsonOutput.Write(new { models = resolved.Select(r => new { name = r.Model.Name, path = r.Path, source = r.Source }) });
        }
        else if (context.Verbose || resolved.Any(r => r.Source == ModelSource.Downloaded))
        {
            foreach (var r in resolved)
            {
                context.Console.MarkupLineInterpolated($"{r.Model.Name}: {r.Source.ToString().ToLowerInvariant()} {r.Path}");
            }
        }
        return 0;
    }
}
