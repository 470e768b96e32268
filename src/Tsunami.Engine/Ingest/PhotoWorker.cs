using System.Diagnostics;
using Tsunami.Core.Assets;
using Tsunami.Core.Ingest;
using Tsunami.Core.Storage;
using Tsunami.Media;
using Tsunami.Engine.Enrichment;
using Tsunami.Media.Decoding;

namespace Tsunami.Engine.Ingest;

/// <summary>Turns one file into stored blobs and an <see cref="Asset"/> ready to commit, or into a reason it cannot.</summary>
internal sealed class PhotoWorker(
    PhotoProcessor processor, IBlobStore blobs, DuplicateIndex duplicates, MediaOptions media, IngestRequest request,
    StageClock clock, TimeProvider time, InlineEnrichment? enrichment)
{
    public async Task<FileOutcome> ProcessAsync(Candidate file, CancellationToken cancellationToken)
    {
        if (file.Bytes == 0)
        {
            return Fail(file, "empty file (0 bytes)");
        }
        if (file.Bytes > media.MaxFileBytes)
        {
            return Fail(file, $"too large: {file.Bytes:N0} bytes, above the limit of {media.MaxFileBytes:N0} bytes (Media:MaxFileBytes)");
        }

        var watch = Stopwatch.StartNew();
        byte[] content;
        try
        {
            content = await File.ReadAllBytesAsync(file.Path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(file, $"cannot read: {e.Message}");
        }
        clock.AddRead(watch.Elapsed);

        watch.Restart();
        var hash = ContentHash.Of(content);
        clock.AddHash(watch.Elapsed);

        var id = AssetId.New();
        if (!duplicates.TryClaim(hash, id, out var holder))
        {
            return new FileOutcome.Duplicate(file, holder);
        }

        try
        {
            var photo = processor.Process(content, enrichment?.Views);
            using var views = photo.Views;
            clock.AddDecode(photo.DecodeTime);
            clock.AddViews(photo.ViewsTime);
            clock.AddEncode(photo.EncodeTime);
            clock.AddMetadata(photo.MetadataTime);

            watch.Restart();
            var thumbnail = await PutAsync(photo.Thumbnail, DerivedKind.Thumbnail, cancellationToken);
            var preview = await PutAsync(photo.Preview, DerivedKind.Preview, cancellationToken);
            await blobs.PutAsync(hash, content, cancellationToken);
            clock.AddStore(watch.Elapsed);

            var asset = new Asset
            {
                Id = id,
                Collection = request.Collection,
                Path = request.NameOf(file.Path),
                Hash = hash,
                Bytes = content.Length,
                Format = photo.Format,
                Width = photo.Width,
                Height = photo.Height,
                PerceptualHash = photo.PerceptualHash,
                IngestedAt = time.GetUtcNow(),
                Capture = photo.Capture,
                Tags = request.Tags,
                Derived = [thumbnail, preview],
            };
            var found = enrichment is null ? null : await enrichment.EnrichAsync(asset, photo, cancellationToken);
            return new FileOutcome.Stored(file, asset, found);
        }
        catch (MediaException e)
        {
            duplicates.Release(hash, id);
            return Fail(file, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            duplicates.Release(hash, id);
            return Fail(file, $"cannot store: {e.Message}");
        }
        catch
        {
            duplicates.Release(hash, id);
            throw;
        }
    }

    private async Task<DerivedFile> PutAsync(EncodedImage image, DerivedKind kind, CancellationToken cancellationToken)
    {
        var hash = ContentHash.Of(image.Content);
        await blobs.PutAsync(hash, image.Content, cancellationToken);
        return new DerivedFile(kind, hash, image.MediaType, image.Width, image.Height, image.Content.Length);
    }

    private FileOutcome.Failed Fail(Candidate file, string reason) => new(file, new IngestError(request.NameOf(file.Path), reason));
}
