using System.CommandLine;
using Spectre.Console;
using Tsunami.Cli.Output;
using Tsunami.Core.Storage;
using Tsunami.Engine.Views;

namespace Tsunami.Cli.Commands;

internal static class ShowCommand
{
    private static readonly Argument<string> Asset = new("asset") { Description = "An asset id (or its first 8+ digits) or the path it was ingested from" };

    public static Command Create()
    {
        var command = new Command("show", "Show one asset with its metadata") { Asset };
        command.SetAction(CliAction.Of(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var key = context.ParseResult.GetValue(Asset)!;
        var asset = await context.Get<IAssetStore>().FindAssetAsync(key, cancellationToken);
        if (asset is null)
        {
            await Console.Error.WriteLineAsync($"error: no asset with the id or path '{key}'");
            return CliAction.Failed;
        }
        var enrichment = await context.Get<IEnrichmentStore>().GetAsync(asset.Id, cancellationToken);
        if (context.Json)
        {
            JsonOutput.Write(Json.Detail(asset, enrichment));
            return 0;
        }
        var view = AssetView.From(asset, withMetadata: true);
        var found = EnrichmentView.From(enrichment);

        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Row(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                grid.AddRow(new Text(name, new Style(decoration: Decoration.Bold)), new Text(value));
            }
        }
        Row("id", view.Id);
        Row("collection", view.Collection);
        Row("path", IngestSummary.Printable(view.Path));
        Row("size", $"{view.Width}×{view.Height} {view.Format}, {view.Bytes:N0} bytes");
        Row("taken", view.TakenAt);
        Row("camera", string.Join(' ', new[] { view.CameraMake, view.CameraModel }.Where(s => s is not null)));
        Row("location", view.Location is { } l ? $"{l.Latitude:0.######}, {l.Longitude:0.######}" : null);
        Row("orientation", view.Orientation == 1 ? null : view.Orientation.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Row("tags", string.Join(", ", view.Tags.Select(t => $"{t.Key}={t.Value}")));
        Row("sha256", view.Sha256);
        Row("phash", view.PerceptualHash);
        Row("derived", string.Join(", ", view.Derived.Select(d => $"{d.Kind} {d.Width}×{d.Height} {d.MediaType} {d.Bytes:N0} B")));
        Row("near duplicates", string.Join(", ", view.NearDuplicates.Select(n => $"{n.Id} (distance {n.Distance})")));
        Row("ingested", view.IngestedAt);
        Row("objects", found.ObjectCounts is null ? null : string.Join(", ", found.ObjectCounts.Select(c => $"{c.Value} {c.Key}")) is { Length: > 0 } counts ? counts : "none");
        Row("", Listed(found.Objects, o => $"{o.Label} {o.Score:0.00} at {Place(o.Box)}"));
        Row("labels", found.Labels is null ? null : string.Join(", ", found.Labels.Select(l => $"{l.Label} {l.Score:0.00}")));
        Row("concepts", found.Concepts is null ? null : string.Join(", ", found.Concepts.Take(12)));
        Row("text", found.TextLines is null ? null : found.TextLines.Count == 0 ? "none" : Listed(found.TextLines, t => $"{t.Text} ({t.Confidence:0.00})"));
        Row("faces", found.FaceCount?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Row("", Listed(found.Faces, f => $"face {f.Score:0.00} at {Place(f.Box)}"));
        Row("zero-shot", found.ZeroShot is null ? null : found.ZeroShot.Count == 0 ? "none" : string.Join(", ", found.ZeroShot.Select(z => $"{z.Label} {z.Score:0.00}")));
        Row("quality", found.Quality is { } q
            ? $"sharpness {q.Sharpness:0}, brightness {q.Brightness:0}{(q.Flags.Count > 0 ? $" — {string.Join(", ", q.Flags)}" : "")}"
            : null);
        Row("not enriched", found.StageErrors is null ? null : string.Join("; ", found.StageErrors.Values));
        context.Console.Write(grid);
        return 0;
    }

    private const int MaxListed = 20;

    /// <summary>One finding a line, the first <see cref="MaxListed"/> of them.</summary>
    private static string? Listed<T>(IReadOnlyList<T>? items, Func<T, string> describe) =>
        items is not { Count: > 0 } ? null
            : string.Join('\n', items.Take(MaxListed).Select(describe)) + (items.Count > MaxListed ? $"\n… {items.Count - MaxListed} more (show --json lists all)" : "");

    /// <summary>A box in the photo's upright pixels: its top-left corner and its size.</summary>
    private static string Place(BoxView box) =>
        FormattableString.Invariant($"x {(int)MathF.Round(box.X)} y {(int)MathF.Round(box.Y)}, {(int)MathF.Round(box.Width)}×{(int)MathF.Round(box.Height)}");
}
