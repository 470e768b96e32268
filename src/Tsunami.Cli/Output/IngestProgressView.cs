using Spectre.Console;
using Tsunami.Engine.Ingest;

namespace Tsunami.Cli.Output;

/// <summary>A live progress bar for ingest: files and bytes done, files/s, bytes/s and the time left.</summary>
internal static class IngestProgressView
{
    public static Task<IngestResult> RunAsync(IAnsiConsole console, Func<IProgress<IngestProgress>, Task<IngestResult>> ingest) =>
        console.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new TransferSpeedColumn(),
                new RemainingTimeColumn())
            .StartAsync(async progressContext =>
            {
                var task = progressContext.AddTask("scanning", maxValue: 1);
                var started = DateTime.UtcNow;
                var progress = new Progress<IngestProgress>(p =>
                {
                    var seconds = Math.Max((DateTime.UtcNow - started).TotalSeconds, 0.001);
                    task.MaxValue = Math.Max(p.BytesTotal, 1);
                    task.Value = p.BytesDone;
                    task.Description = $"{p.FilesDone}/{p.FilesTotal} files · {p.FilesDone / seconds:0.0} files/s · {p.Failed} failed";
                });
                return await ingest(progress);
            });
}
