using System.Diagnostics;
using Microsoft.Extensions.Options;
using NetVips;
using Tsunami.Core.Imaging;
using Tsunami.Media.Hashing;
using Tsunami.Media.Metadata;

namespace Tsunami.Media.Decoding;

/// <summary>
/// Decodes a photo once with libvips and makes what ingest keeps: the upright preview (JPEG), the grid
/// thumbnail (WebP), the perceptual hash and the capture metadata. Thread-safe; one call per photo.
/// </summary>
public sealed class PhotoProcessor
{
    private readonly MediaOptions _options;

    public PhotoProcessor(IOptions<MediaOptions> options)
    {
        _options = options.Value;
        VipsRuntime.EnsureInitialized(_options);
    }

    /// <exception cref="MediaException">The content is not a photo this build can decode, or breaks a limit.</exception>
    /// <param name="views">
    /// Sizes to hand the models too, made from the decoded preview (so enrichment during ingest decodes nothing
    /// again); given, the photo's <see cref="ProcessedPhoto.Views"/> hold the preview's pixels until disposed.
    /// </param>
    public ProcessedPhoto Process(byte[] content, IReadOnlyList<ViewSize>? views = null)
    {
        var format = ImageFormatSniffer.Sniff(content) ?? throw new MediaException(ImageFormatSniffer.DescribeNonImage(content));
        var clock = Stopwatch.StartNew();
        PhotoViews? modelViews = null;
        try
        {
            using var source = Image.NewFromBuffer(content, access: Enums.Access.Sequential, failOn: Enums.FailOn.Truncated);
            var pixels = (long)source.Width * source.Height;
            if (pixels > _options.MaxPixels)
            {
                throw new MediaException(
                    $"too large: {source.Width}×{source.Height} is {pixels / 1e6:0.#} MP, above the limit of {_options.MaxPixels / 1e6:0.#} MP (Media:MaxPixels)");
            }
            var orientation = source.Contains("orientation") ? (int)source.Get("orientation") : 1;
            var (width, height) = orientation >= 5 ? (source.Height, source.Width) : (source.Width, source.Height);

            using var previewPixels = DecodePreview(content, source, orientation);
            var decodeTime = clock.Elapsed;
            modelViews = views is { Count: > 0 } ? new PhotoViews(previewPixels.Copy(), views) : null;
            var viewsTime = modelViews is null ? TimeSpan.Zero : clock.Elapsed - decodeTime;

            var previewJpeg = previewPixels.JpegsaveBuffer(q: _options.PreviewQuality, keep: Enums.ForeignKeep.None);
            using var thumbnail = ResizeToFit(previewPixels, _options.ThumbnailSize);
            var thumbnailWebp = thumbnail.WebpsaveBuffer(q: _options.ThumbnailQuality, effort: 1, keep: Enums.ForeignKeep.None);
            var perceptualHash = ComputePerceptualHash(thumbnail);
            var encodeTime = clock.Elapsed - decodeTime - viewsTime;

            var capture = CaptureMetadataReader.Read(content);
            return new ProcessedPhoto
            {
                Format = format,
                Width = width,
                Height = height,
                PerceptualHash = perceptualHash,
                Capture = capture with { Orientation = orientation },
                Preview = new EncodedImage(previewJpeg, "image/jpeg", previewPixels.Width, previewPixels.Height),
                Thumbnail = new EncodedImage(thumbnailWebp, "image/webp", thumbnail.Width, thumbnail.Height),
                Views = modelViews,
                DecodeTime = decodeTime,
                ViewsTime = viewsTime,
                EncodeTime = encodeTime,
                MetadataTime = clock.Elapsed - decodeTime - viewsTime - encodeTime,
            };
        }
        catch (VipsException e)
        {
            modelViews?.Dispose();
            throw new MediaException(DescribeDecodeFailure(format, content, e), e);
        }
        catch
        {
            modelViews?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Decodes once and makes every view the models ask for (never enlarged): libvips' SIMD resize costs 1–3 ms a
    /// view, where resampling in the adapters cost 20–40 ms a model (bench enrich).
    /// </summary>
    /// <exception cref="MediaException">The content cannot be decoded.</exception>
    public IReadOnlyList<RgbImage> DecodeViews(byte[] content, IReadOnlyList<ViewSize> sizes)
    {
        using var views = OpenViews(content, sizes);
        return [.. sizes.Select(size => views[size])];
    }

    /// <summary>
    /// Decodes the photo and makes these views now; others are made from the same pixels when first read. A JPEG at
    /// least twice as large as every view asked for here is shrunk while it is decoded (DCT scaling, bench enrich's
    /// "stored preview into its views" row), and decoded again at full size only if a view larger than the shrunk
    /// pixels is read later.
    /// </summary>
    /// <exception cref="MediaException">The content cannot be decoded.</exception>
    public PhotoViews OpenViews(byte[] content, IReadOnlyList<ViewSize> sizes)
    {
        var format = ImageFormatSniffer.Sniff(content) ?? throw new MediaException(ImageFormatSniffer.DescribeNonImage(content));
        try
        {
            using var photo = Image.NewFromBuffer(content, failOn: Enums.FailOn.Truncated);
            var turned = photo.Contains("orientation") && (int)photo.Get("orientation") >= 5;
            var (width, height) = turned ? (photo.Height, photo.Width) : (photo.Width, photo.Height);
            var shrink = format == "jpeg" ? ShrinkOnLoad(sizes, width, height) : 1;
            return shrink == 1
                ? new PhotoViews(Upright(photo), sizes)
                : new PhotoViews(DecodeUpright(content, format, shrink), sizes, (width, height, () => DecodeUpright(content, format, 1)));
        }
        catch (VipsException e)
        {
            throw new MediaException(DescribeDecodeFailure(format, content, e), e);
        }
    }

    /// <summary>
    /// The largest JPEG shrink (1/2, 1/4 or 1/8) that leaves the pixels at least as large as every view; none where a
    /// view is bicubic, which is made from the photo's own pixels (CLIP's validated preprocessing).
    /// </summary>
    private static int ShrinkOnLoad(IReadOnlyList<ViewSize> sizes, int width, int height)
    {
        if (sizes.Count == 0 || sizes.Any(size => size.Bicubic))
        {
            return 1;
        }
        var needed = Math.Ceiling(sizes.Max(size => PhotoViews.Longest(size, width, height)));
        return new[] { 8, 4, 2 }.FirstOrDefault(shrink => Math.Max(width, height) / shrink >= needed, 1);
    }

    /// <summary>The photo's upright 8-bit pixels in memory, at 1/<paramref name="shrink"/> of its size.</summary>
    /// <exception cref="MediaException">The content cannot be decoded.</exception>
    private static Image DecodeUpright(byte[] content, string format, int shrink)
    {
        try
        {
            using var decoded = Image.NewFromBuffer(content, shrink == 1 ? "" : $"shrink={shrink}", failOn: Enums.FailOn.Truncated);
            return Upright(decoded);
        }
        catch (VipsException e)
        {
            throw new MediaException(DescribeDecodeFailure(format, content, e), e);
        }
    }

    /// <summary>The loaded photo decoded into memory, turned upright, 8-bit and opaque.</summary>
    private static Image Upright(Image loaded)
    {
        using var opaque = ToEightBitOpaque(loaded.Autorot());
        return opaque.CopyMemory();
    }

    /// <summary>
    /// The image with each region blurred past recognition (a Gaussian of a third of the region's size), as WebP:
    /// the privacy thumbnail. Boxes are in pixels of an image <paramref name="sourceWidth"/> wide.
    /// </summary>
    /// <exception cref="MediaException">The image cannot be decoded or encoded.</exception>
    public EncodedImage BlurRegions(byte[] content, IEnumerable<Core.Enrichment.Box> boxes, int sourceWidth)
    {
        try
        {
            return Blur(content, boxes, sourceWidth);
        }
        catch (VipsException e)
        {
            throw new MediaException($"cannot blur the thumbnail: {e.Message.Split('\n')[0]}", e);
        }
    }

    private EncodedImage Blur(byte[] content, IEnumerable<Core.Enrichment.Box> boxes, int sourceWidth)
    {
        using var image = Image.NewFromBuffer(content);
        var scale = (double)image.Width / sourceWidth;
        var result = image.Copy();
        foreach (var box in boxes)
        {
            var left = Math.Clamp((int)Math.Floor(box.X * scale), 0, image.Width - 1);
            var top = Math.Clamp((int)Math.Floor(box.Y * scale), 0, image.Height - 1);
            var width = Math.Clamp((int)Math.Ceiling(box.Width * scale), 1, image.Width - left);
            var height = Math.Clamp((int)Math.Ceiling(box.Height * scale), 1, image.Height - top);
            using var region = result.Crop(left, top, width, height);
            using var blurred = region.Gaussblur(Math.Max(2, Math.Max(width, height) / 3.0));
            using var cast = blurred.Cast(region.Format);
            result = Replace(result, result.Insert(cast, left, top));
        }
        using (result)
        {
            return new EncodedImage(result.WebpsaveBuffer(q: _options.ThumbnailQuality, effort: 1, keep: Enums.ForeignKeep.None), "image/webp", result.Width, result.Height);
        }
    }

    internal static RgbImage ToRgb(Image image)
    {
        using var rgb = image.Bands == 3 ? image.Copy() : image.Colourspace(Enums.Interpretation.Srgb);
        using var three = rgb.Bands == 3 ? rgb.Copy() : rgb.ExtractBand(0, n: 3);
        return new RgbImage(three.Width, three.Height, three.WriteToMemory<byte>());
    }

    /// <summary>
    /// The upright preview in memory. Decoding is most of an ingest's time (see bench ingest), so: a photo at
    /// least twice the preview size is shrunk while it is decoded (JPEG DCT scaling); a smaller one is decoded
    /// sequentially and reduced with a linear kernel, then turned upright at preview size, where it is cheap.
    /// </summary>
    private Image DecodePreview(byte[] content, Image source, int orientation)
    {
        var size = _options.PreviewSize;
        if (Math.Max(source.Width, source.Height) >= 2 * size)
        {
            // fail_on must reach the loader through its option string: thumbnail's failOn does not (libvips 8.18).
            using var shrunk = ToEightBitOpaque(Image.ThumbnailBuffer(content, size, optionString: "fail_on=truncated", height: size, size: Enums.Size.Down));
            return shrunk.CopyMemory();
        }
        using var opaque = ToEightBitOpaque(source.Copy());
        using var reduced = ResizeToFit(opaque, size);
        var decoded = reduced.CopyMemory();
        return orientation == 1 ? decoded : Replace(decoded, decoded.Autorot());
    }

    private static Image ResizeToFit(Image image, int size)
    {
        var scale = (double)size / Math.Max(image.Width, image.Height);
        return scale < 1 ? image.Resize(scale, Enums.Kernel.Linear) : image.Copy();
    }

    private static Image ToEightBitOpaque(Image image)
    {
        var result = image;
        if (result.HasAlpha())
        {
            result = Replace(result, result.Flatten(background: [255]));
        }
        if (result.Interpretation is Enums.Interpretation.Rgb16 or Enums.Interpretation.Cmyk or Enums.Interpretation.Lab)
        {
            result = Replace(result, result.Colourspace(Enums.Interpretation.Srgb));
        }
        else if (result.Interpretation is Enums.Interpretation.Grey16)
        {
            result = Replace(result, result.Colourspace(Enums.Interpretation.Bw));
        }
        if (result.Format != Enums.BandFormat.Uchar)
        {
            result = Replace(result, result.Cast(Enums.BandFormat.Uchar));
        }
        return result;
    }

    private static Image Replace(Image old, Image replacement)
    {
        old.Dispose();
        return replacement;
    }

    private static ulong ComputePerceptualHash(Image thumbnail)
    {
        using var grey = thumbnail.Bands >= 3 ? thumbnail.Colourspace(Enums.Interpretation.Bw) : thumbnail.Copy();
        using var small = grey.ThumbnailImage(PerceptualHash.Side, height: PerceptualHash.Side, size: Enums.Size.Force);
        using var band = small.ExtractBand(0);
        return PerceptualHash.Compute(band.WriteToMemory<byte>());
    }

    internal static string DescribeDecodeFailure(string format, byte[] content, VipsException e)
    {
        // libvips stacks its messages, the generic ones first: keep the loader's own, without its prefix, and only
        // when it speaks of this format (its error buffer is shared by threads: it may hold another photo's message).
        var words = FormatWords(format);
        var detail = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith("unable to", StringComparison.Ordinal) && !line.StartsWith("VipsForeignLoad", StringComparison.Ordinal))
            .Where(line => words.Length == 0 || words.Any(word => line.Contains(word, StringComparison.OrdinalIgnoreCase)))
            .Select(line => line.Split(": ", 2) is [var source, var rest] && !source.Contains(' ', StringComparison.Ordinal) ? rest : line)
            .FirstOrDefault();
        if (format == "heif" && detail is not null && (detail.Contains("codec", StringComparison.OrdinalIgnoreCase) || detail.Contains("decoder", StringComparison.OrdinalIgnoreCase) || detail.Contains("compression", StringComparison.OrdinalIgnoreCase)))
        {
            return $"HEIC/HEIF photo this build cannot decode (libheif has no HEVC decoder here; AVIF works): {detail}";
        }
        var truncated = FileEnding.IsTruncated(format, content)
            ?? (detail is not null && (detail.Contains("premature end", StringComparison.OrdinalIgnoreCase) || detail.Contains("truncated", StringComparison.OrdinalIgnoreCase)
                || detail.Contains("out of data", StringComparison.OrdinalIgnoreCase)));
        return truncated
            ? $"truncated {format} file: {detail ?? "the data ends before the image does"}"
            : $"corrupt {format} file: {detail ?? "the image data is damaged"}";
    }

    /// <summary>Words libvips' loader messages for a format contain (empty: any line is taken).</summary>
    private static string[] FormatWords(string format) => format switch
    {
        "jpeg" => ["jpeg", "jpg"],
        "png" => ["png"],
        _ => [],
    };
}
