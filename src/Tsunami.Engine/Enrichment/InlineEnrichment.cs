using Tsunami.Core.Assets;
using Tsunami.Core.Enrichment;
using Tsunami.Core.Imaging;
using Tsunami.Core.Storage;
using Tsunami.Media;
using Tsunami.Media.Decoding;

namespace Tsunami.Engine.Enrichment;

/// <summary>
/// Enrichment inside ingest: the worker that decoded a photo runs every stage on the views it made from the same
/// pixels, so nothing is decoded twice; the results are committed with the photo's batch.
/// </summary>
internal sealed class InlineEnrichment(
    PhotoEnricher enricher, EnrichmentClock clock, IReadOnlyDictionary<string, string> versions, PhotoProcessor processor, IBlobStore blobs)
{
    public IReadOnlyList<ViewSize> Views => enricher.Views;

    public EnrichmentClock Clock => clock;

    public async Task<AssetEnrichment> EnrichAsync(Asset asset, ProcessedPhoto photo, CancellationToken cancellationToken)
    {
        var preview = asset.Derived.Single(d => d.Kind == DerivedKind.Preview).Hash;
        var thumbnail = asset.Derived.Single(d => d.Kind == DerivedKind.Thumbnail).Hash;
        var work = new EnrichmentWork(asset.Id, preview, thumbnail, asset.Width, asset.Height, [.. versions.Keys]);
        var views = enricher.Views.Select((view, i) => (view, photo.Views[i])).ToDictionary(p => p.view, p => p.Item2);
        var result = enricher.Enrich([new EnrichmentInput(work, views)], versions)[0];
        if (result.Faces is not { Count: > 0 } faces)
        {
            return result;
        }
        EncodedImage blurred;
        try
        {
            blurred = processor.BlurRegions(photo.Thumbnail.Content, faces.Select(f => f.Box), asset.Width);
        }
        catch (MediaException e)
        {
            return result with { Errors = new Dictionary<string, string>(result.Errors) { [EnrichmentStage.Faces] = e.Message } };
        }
        var hash = ContentHash.Of(blurred.Content);
        await blobs.PutAsync(hash, blurred.Content, cancellationToken);
        return result with
        {
            PrivateThumbnail = new DerivedFile(DerivedKind.PrivateThumbnail, hash, blurred.MediaType, blurred.Width, blurred.Height, blurred.Content.Length),
        };
    }
}
