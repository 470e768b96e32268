using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Tsunami.Cli.Output;
using Tsunami.Engine.Ask;
using Tsunami.Engine.Views;

namespace Tsunami.Cli.Commands;

internal static class AskCommand
{
    private static readonly Argument<string> Question = new("question") { Description = "A question in plain English, e.g. \"how many photos show more than 3 people last week\"" };
    private static readonly Option<int> Limit = new("--limit") { Description = "How many photos to list", DefaultValueFactory = _ => 20 };
    private static readonly Option<string?> Now = new("--now") { Description = "The time relative dates count from (ISO 8601; default: now)" };
    private static readonly Option<bool> Explain = new("--explain") { Description = "Print the query plan" };
    private static readonly Argument<string> Reference = new("asset-or-file")
    {
        Description = "A stored photo (its id, first 8+ digits or the path it was ingested from) or any photo file",
    };

    public static Command Create()
    {
        var command = new Command("ask", "Ask the photos a question: the matching photos, best first, with the evidence; counts for \"how many\"")
        {
            Question, Limit, Now, Explain,
        };
        command.SetAction(CliAction.Of((context, token) =>
            RunAsync(context, (service, options) => service.AskAsync(context.ParseResult.GetValue(Question)!, options, token))));
        return command;
    }

    public static Command CreateSimilar()
    {
        var command = new Command("similar", "Photos that look like a stored photo or a photo file (visual embedding), most similar first") { Reference, Limit };
        command.SetAction(CliAction.Of((context, token) =>
            RunAsync(context, (service, options) => service.SimilarAsync(context.ParseResult.GetValue(Reference)!, options, token))));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, Func<AskService, AskOptions, Task<Answer>> ask)
    {
        var parse = context.ParseResult;
        DateTimeOffset? now = null;
        if (parse.GetResult(Now) is not null && parse.GetValue(Now) is { } text)
        {
            now = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed
                : throw new ArgumentException($"--now: \"{text}\" is not an ISO 8601 time (e.g. 2025-03-18T12:00:00Z)");
        }
        var limit = parse.GetValue(Limit);
        if (limit < 0)
        {
            throw new ArgumentException($"--limit: {limit} is negative");
        }
        var answer = await ask(context.Get<AskService>(), new AskOptions(limit, now));
        var explain = parse.GetResult(Explain) is not null && parse.GetValue(Explain);
        if (context.Json)
        {
            JsonOutput.Write(Json.Answer(answer, explain));
            return 0;
        }
        if (explain)
        {
            context.Console.WriteLine(answer.Plan.Explain().TrimEnd());
            context.Console.WriteLine();
        }
        context.Console.MarkupLine($"[bold]{Markup.Escape(answer.Summary)}[/]");
        foreach (var note in answer.Notes)
        {
            context.Console.MarkupLine($"[grey]note: {Markup.Escape(note)}[/]");
        }
        if (answer.Results.Count == 0)
        {
            return 0;
        }
        var table = new Table().AddColumns("id", "path", "score", "evidence");
        foreach (var result in answer.Results)
        {
            var evidence = string.Join("; ", result.Evidence.Select(e => e.Score is { } s ? $"{e.Kind} {e.What} {s:0.##}" : $"{e.Kind} {e.What}").Distinct());
            table.AddRow(Markup.Escape(result.Id[..12]), Markup.Escape(IngestSummary.Printable(result.Path)), result.Score.ToString("0.0000", CultureInfo.InvariantCulture), Markup.Escape(evidence));
        }
        context.Console.Write(table);
        return 0;
    }
}
