using Tsunami.Core.Assets;
using Tsunami.Core.Enrichment;
using Tsunami.Core.Imaging;
using Tsunami.Core.Storage;
using Tsunami.Media.Decoding;

namespace Tsunami.Engine.Enrichment;

/// <summary>
/// Enrichment inside ingest: the worker that decoded a photo runs every stage on the views it made from the same
/// pixels, so nothing is decoded twice; the results are committed with the photo's batch.
/// </summary>
internal sealed class InlineEnrichment(
    PhotoEnricher enricher, EnrichmentClock clock, IReadOnlyDictionary<string, string> versions, PrivateThumbnails privateThumbnails)
{
    public IReadOnlyList<ViewSize> Views => enricher.Views;

    public EnrichmentClock Clock => clock;

    public async Task<AssetEnrichment> EnrichAsync(Asset asset, ProcessedPhoto photo, CancellationToken cancellationToken)
    {
        var preview = asset.Derived.Single(d => d.Kind == DerivedKind.Preview).Hash;
        var thumbnail = asset.Derived.Single(d => d.Kind == DerivedKind.Thumbnail).Hash;
        var work = new EnrichmentWork(asset.Id, preview, thumbnail, asset.Width, asset.Height, [.. versions.Keys]);
        var views = photo.Views ?? throw new ArgumentException("the photo was processed without the enrichment's views", nameof(photo));
        var result = (await enricher.EnrichAsync([new EnrichmentInput(work, views)], versions, cancellationToken))[0];
        return await privateThumbnails.AddAsync(result, photo.Thumbnail.Content, asset.Width, cancellationToken);
    }
}
