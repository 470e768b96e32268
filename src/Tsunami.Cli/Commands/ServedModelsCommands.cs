using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Tsunami.Cli.Output;
using Tsunami.Serving.Repository;
using Tsunami.Serving.Runtime;

namespace Tsunami.Cli.Commands;

/// <summary>
/// `models list|describe|load|unload`: with --url they ask a running server (Triton's repository extension);
/// list and describe also work on the local repository without one.
/// </summary>
internal static class ServedModelsCommands
{
    private static readonly Option<string?> Url = new("--url") { Description = "A running Tsunami server, e.g. http://127.0.0.1:8000 (load and unload default to it)" };
    private static readonly Argument<string> Name = new("name") { Description = "The model's name" };
    private const string DefaultUrl = "http://127.0.0.1:8000";

    public static Command List()
    {
        var command = new Command("list", "The models that can be served, and with --url their state on a server") { Url };
        command.SetAction(CliAction.Of(async (context, cancellationToken) =>
        {
            if (context.ParseResult.GetValue(Url) is { } url)
            {
                using var client = new ModelServerClient(url);
                var index = await client.PostAsync("v2/repository/index", cancellationToken);
                Print(context, index.EnumerateArray().Select(m => new ModelStatus(
                    m.GetProperty("name").GetString()!, Text(m, "version"), m.GetProperty("state").GetString()!, Text(m, "reason"))).ToList());
                return 0;
            }
            var repository = context.Get<ModelRepository>();
            var rows = new List<ModelStatus>();
            foreach (var name in repository.Names())
            {
                try
                {
                    var location = await repository.LocateAsync(name, cancellationToken);
                    rows.Add(new ModelStatus(name, location.Version, "AVAILABLE", location.Source == "built-in" ? "built-in" : location.Path));
                }
                catch (Exception e) when (e is InvalidDataException or KeyNotFoundException or Inference.Repository.ModelUnavailableException)
                {
                    rows.Add(new ModelStatus(name, null, "BROKEN", e.Message));
                }
            }
            Print(context, rows);
            return 0;
        }));
        return command;
    }

    public static Command Describe()
    {
        var command = new Command("describe", "A model's inputs, outputs and configuration") { Name, Url };
        command.SetAction(CliAction.Of(async (context, cancellationToken) =>
        {
            var name = context.ParseResult.GetValue(Name)!;
            object metadata, config;
            if (context.ParseResult.GetValue(Url) is { } url)
            {
                using var client = new ModelServerClient(url);
                metadata = await client.GetAsync($"v2/models/{Uri.EscapeDataString(name)}", cancellationToken);
                config = await client.GetAsync($"v2/models/{Uri.EscapeDataString(name)}/config", cancellationToken);
            }
            else
            {
                var runtime = context.Get<ModelRuntime>();
                var model = await runtime.LoadAsync(name, cancellationToken);
                var m = model.Metadata;
                metadata = new
                {
                    name = m.Name,
                    versions = m.Versions,
                    platform = m.Platform,
                    inputs = m.Inputs.Select(i => new { name = i.Name, datatype = i.DataType, shape = i.Shape }),
                    outputs = m.Outputs.Select(o => new { name = o.Name, datatype = o.DataType, shape = o.Shape }),
                };
                config = JsonDocument.Parse(model.Config.ToJson()).RootElement.Clone();
            }
            JsonOutput.Write(new { metadata, config });
            return 0;
        }));
        return command;
    }

    public static Command Load() => RepositoryAction("load", "Load (or reload) a model on a running server");

    public static Command Unload() => RepositoryAction("unload", "Unload a model from a running server; its queued requests finish first");

    private static Command RepositoryAction(string action, string description)
    {
        var command = new Command(action, description) { Name, Url };
        command.SetAction(CliAction.Of(async (context, cancellationToken) =>
        {
            var name = context.ParseResult.GetValue(Name)!;
            using var client = new ModelServerClient(context.ParseResult.GetValue(Url) ?? DefaultUrl);
            await client.PostAsync($"v2/repository/models/{Uri.EscapeDataString(name)}/{action}", cancellationToken);
            if (context.Json)
            {
                JsonOutput.Write(new { model = name, action, ok = true });
            }
            else
            {
                context.Console.MarkupLineInterpolated($"{name}: {action}ed");
            }
            return 0;
        }));
        return command;
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static void Print(CliContext context, IReadOnlyList<ModelStatus> rows)
    {
        if (context.Json)
        {
            JsonOutput.Write(new { models = rows.Select(r => new { name = r.Name, version = r.Version, state = r.State, reason = r.Reason }) });
            return;
        }
        var table = new Table().Border(TableBorder.Simple).AddColumns("model", "version", "state", "source / reason");
        foreach (var row in rows)
        {
            table.AddRow(Markup.Escape(row.Name), row.Version ?? "-", row.State, Markup.Escape(row.Reason ?? ""));
        }
        context.Console.Write(table);
    }
}
