using System.CommandLine;
using Spectre.Console;
using Tsunami.Cli.Output;
using Tsunami.Engine.Clip;
using Tsunami.Inference.Clip;

namespace Tsunami.Cli.Commands;

/// <summary>`models add` and `models pull`: CLIP model sets installed from a folder or a mirror.</summary>
internal static class ClipModelsCommands
{
    private static readonly Argument<string> Folder = new("folder") { Description = "A CLIP model set in Immich's or a Hugging Face export's layout" };
    private static readonly Option<string?> Name = new("--name") { Description = "Install under this name (default: the folder's)" };
    private static readonly Argument<string> Source = new("name-or-url") { Description = "A model set's name on the mirror (Clip:Mirror), or the address of its manifest.json" };

    public static Command Add()
    {
        var command = new Command("add", "Install a CLIP model set from a local folder (checked, then copied beside the others)") { Folder, Name };
        command.SetAction(CliAction.Of((context, _) =>
        {
            var installed = context.Get<ClipInstallation>().Add(context.ParseResult.GetValue(Folder)!, context.ParseResult.GetValue(Name));
            Report(context, installed);
            return Task.FromResult(0);
        }));
        return command;
    }

    public static Command Pull()
    {
        var command = new Command("pull", "Download a CLIP model set from the mirror: resumed where a former run stopped, every file checked by SHA-256") { Source };
        command.SetAction(CliAction.Of(async (context, cancellationToken) =>
        {
            var downloader = context.Get<ClipDownloader>();
            var source = context.ParseResult.GetValue(Source)!;
            ClipModelFolder installed;
            if (context.Json || !AnsiConsole.Profile.Capabilities.Interactive)
            {
                installed = await downloader.PullAsync(source, null, cancellationToken);
            }
            else
            {
                installed = await context.Console.Progress().Columns(
                        new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn())
                    .StartAsync(async progress =>
                    {
                        var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                        var report = new Progress<DownloadProgress>(p =>
                        {
                            if (!tasks.TryGetValue(p.File, out var task))
                            {
                                tasks[p.File] = task = progress.AddTask(Markup.Escape(p.File), maxValue: p.Total ?? 1);
                            }
                            task.MaxValue = p.Total ?? Math.Max(task.MaxValue, p.Done);
                            task.Value = p.Done;
                        });
                        return await downloader.PullAsync(source, report, cancellationToken);
                    });
            }
            Report(context, installed);
            return 0;
        }));
        return command;
    }

    private static void Report(CliContext context, ClipModelFolder installed)
    {
        if (context.Json)
        {
            JsonOutput.Write(new { name = installed.Name, layout = installed.Layout.ToString(), folder = installed.Folder });
            return;
        }
        context.Console.MarkupLineInterpolated($"installed the CLIP model set [bold]{installed.Name}[/] ({installed.Layout}) in {installed.Folder}");
    }
}
