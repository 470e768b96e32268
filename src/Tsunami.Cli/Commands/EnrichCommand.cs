using System.CommandLine;
using Spectre.Console;
using Tsunami.Cli.Output;
using Tsunami.Core.Enrichment;
using Tsunami.Engine.Enrichment;

namespace Tsunami.Cli.Commands;

internal static class EnrichCommand
{
    private static readonly Option<string?> Collection = new("--collection", "-c") { Description = "Only this collection (default: all)" };

    private static readonly Option<string[]> Stages = new("--stage", "-s")
    {
        Description = $"Run only these stages ({string.Join(", ", EnrichmentStage.All)}; ocr is text; repeatable)",
        DefaultValueFactory = _ => [],
    };

    private static readonly Option<bool> Force = new("--force") { Description = "Run the stages again even where their current version already ran" };

    public static Command Create()
    {
        Stages.AcceptOnlyFromAmong([.. EnrichmentStage.All, .. EnrichmentStage.Aliases.Keys]);
        var command = new Command("enrich", "See what is in the stored photos: objects, labels and concepts, faces, text, quality; runs only what is missing or outdated") { Collection, Stages, Force };
        command.SetAction(CliAction.Of(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var request = new EnrichRequest(context.ParseResult.GetValue(Collection), context.ParseResult.GetValue(Stages)!, context.ParseResult.GetValue(Force));
        var result = await context.Get<EnrichmentService>().EnrichAsync(request, null, cancellationToken);
        Write(context, result);
        return result.Failed > 0 ? CliAction.Failed : 0;
    }

    public static void Write(CliContext context, EnrichResult result)
    {
        if (context.Json)
        {
            JsonOutput.Write(EnrichmentSummary.ToJson(result));
            return;
        }
        EnrichmentSummary.Write(context.Console, result);
    }
}
