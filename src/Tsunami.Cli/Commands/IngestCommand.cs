using System.CommandLine;
using System.CommandLine.Parsing;
using Spectre.Console;
using Tsunami.Cli.Output;
using Tsunami.Core.Ingest;
using Tsunami.Engine.Enrichment;
using Tsunami.Engine.Ingest;

namespace Tsunami.Cli.Commands;

internal static class IngestCommand
{
    private static readonly Argument<string[]> Paths = new("paths")
    {
        Description = "Photo files and folders (walked recursively)",
        Arity = ArgumentArity.OneOrMore,
    };

    private static readonly Option<string> Collection = new("--collection", "-c")
    {
        Description = "The collection the photos join (created when new)",
        DefaultValueFactory = _ => "default",
    };

    private static readonly Option<string[]> Tags = new("--tag", "-t")
    {
        Description = "A tag for every photo of this ingest, as key=value (repeatable)",
        DefaultValueFactory = _ => [],
    };

    private static readonly Option<bool> NoEnrich = new("--no-enrich") { Description = "Store the photos only; run 'tsunami enrich' later" };

    public static Command Create()
    {
        Tags.Validators.Add(ValidateTags);
        Collection.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError("--collection needs a name");
            }
        });
        var command = new Command("ingest", "Ingest photos: store originals, metadata and thumbnails, skip exact duplicates, link near ones, and see what is in each (objects, labels, faces, text, quality)")
        {
            Paths,
            Collection,
            Tags,
            NoEnrich,
        };
        command.SetAction(CliAction.Of(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var request = new IngestRequest(
            context.ParseResult.GetValue(Paths)!,
            context.ParseResult.GetValue(Collection)!.Trim(),
            ParseTags(context.ParseResult.GetValue(Tags)!),
            Enrich: !context.ParseResult.GetValue(NoEnrich));
        var service = context.Get<IngestService>();

        IngestResult result;
        if (context.Json || Console.IsOutputRedirected)
        {
            result = await service.IngestAsync(request, progress: null, cancellationToken);
        }
        else
        {
            result = await IngestProgressView.RunAsync(context.Console, progress => service.IngestAsync(request, progress, cancellationToken));
        }

        var (enrichment, enrichmentError) = (result.Enrichment, result.EnrichmentError);

        if (context.Json)
        {
            JsonOutput.Write(new
            {
                jobId = result.JobId,
                collection = result.Collection,
                status = result.Status,
                ingested = result.Ingested,
                duplicates = result.Duplicates,
                failed = result.Failed,
                skipped = result.Skipped,
                nearDuplicateLinks = result.NearDuplicateLinks,
                bytes = result.BytesIngested,
                seconds = Math.Round(result.Elapsed.TotalSeconds, 3),
                errors = result.Errors,
                duplicateFiles = result.DuplicateFiles.Select(d => new { path = d.Path, duplicateOf = d.DuplicateOf.ToString() }),
                assetIds = result.AssetIds.Select(id => id.ToString()),
                enrichment = enrichment is null ? null : EnrichmentSummary.ToJson(enrichment),
                enrichmentError,
            });
        }
        else
        {
            IngestSummary.Write(context.Console, result);
            if (enrichment is not null)
            {
                EnrichmentSummary.Write(context.Console, enrichment);
            }
            if (enrichmentError is not null)
            {
                context.Console.MarkupLineInterpolated($"[red]not enriched[/]: {enrichmentError}");
            }
        }
        return result.Status switch
        {
            IngestJobStatus.Cancelled => 130,
            _ when result.Failed > 0 || enrichment?.Failed > 0 || enrichmentError is not null => CliAction.Failed,
            _ => 0,
        };
    }

    private static Dictionary<string, string> ParseTags(IEnumerable<string> tags) =>
        tags.Select(tag => tag.Split('=', 2)).ToDictionary(parts => parts[0].Trim(), parts => parts[1].Trim(), StringComparer.Ordinal);

    private static void ValidateTags(OptionResult result)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tag in result.GetValueOrDefault<string[]>() ?? [])
        {
            var parts = tag.Split('=', 2);
            if (parts.Length != 2 || parts[0].Trim().Length == 0 || !parts[0].Trim().All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                result.AddError($"--tag '{tag}': expected key=value, the key made of letters, digits, '_', '-' or '.'");
            }
            else if (!keys.Add(parts[0].Trim()))
            {
                result.AddError($"--tag '{tag}': the key '{parts[0].Trim()}' is given twice");
            }
        }
    }
}
