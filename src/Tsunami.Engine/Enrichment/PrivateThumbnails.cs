using Tsunami.Core.Assets;
using Tsunami.Core.Enrichment;
using Tsunami.Core.Storage;
using Tsunami.Media;
using Tsunami.Media.Decoding;

namespace Tsunami.Engine.Enrichment;

/// <summary>The thumbnail read-only users get: the faces the faces stage found, blurred. Its blob is written here.</summary>
internal sealed class PrivateThumbnails(PhotoProcessor processor, IBlobStore blobs)
{
    /// <param name="thumbnail">The photo's thumbnail bytes.</param>
    /// <param name="width">The original's upright width, which the face boxes are measured in.</param>
    public async Task<AssetEnrichment> AddAsync(AssetEnrichment result, byte[] thumbnail, int width, CancellationToken cancellationToken)
    {
        if (result.Faces is not { Count: > 0 } faces)
        {
            return result;
        }
        EncodedImage blurred;
        try
        {
            blurred = processor.BlurRegions(thumbnail, faces.Select(f => f.Box), width);
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
