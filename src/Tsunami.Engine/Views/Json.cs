using Tsunami.Core.Assets;
using Tsunami.Core.Enrichment;
using Tsunami.Engine.Ask;

namespace Tsunami.Engine.Views;

/// <summary>The JSON shapes `show --json`, `ask --json` and the API share.</summary>
public static class Json
{
    /// <summary>One asset with everything enrichment found in it.</summary>
    public static object Detail(Asset asset, AssetEnrichment enrichment)
    {
        var view = AssetView.From(asset, withMetadata: true);
        var found = EnrichmentView.From(enrichment);
        return new
        {
            view.Id, view.Collection, view.Path, view.Sha256, view.Bytes, view.Format, view.Width, view.Height, view.TakenAt,
            view.Location, view.CameraMake, view.CameraModel, view.Orientation, view.PerceptualHash, view.IngestedAt, view.Tags,
            view.Derived, view.NearDuplicates, view.Metadata,
            found.Objects, found.ObjectCounts, found.Labels, found.Concepts, found.Faces, found.FaceCount, found.Quality, found.Text, found.TextLines,
            found.ZeroShot, found.Stages, found.StageErrors,
        };
    }

    /// <summary>An answer: the count when the question asks for one, the results with their evidence, the notes.</summary>
    public static object Answer(Answer answer, bool explain) => new
    {
        question = answer.Plan.Question,
        count = answer.Plan.AsksCount ? answer.Matches : (int?)null,
        matches = answer.Matches,
        summary = answer.Summary,
        results = answer.Results,
        notes = answer.Notes,
        plan = explain ? answer.Plan.Explain().TrimEnd().Split('\n') : null,
    };
}
