using System.Diagnostics;
using Microsoft.Extensions.Options;
using NetVips;
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
    public ProcessedPhoto Process(byte[] content)
    {
        var format = ImageFormatSniffer.Sniff(content) ?? throw new MediaException(ImageFormatSniffer.DescribeNonImage(content));
        var clock = Stopwatch.StartNew();
        try
        {
            int orientation, width, height;
            using (var header = Image.NewFromBuffer(content, access: Enums.Access.Sequential, failOn: Enums.FailOn.Error))
            {
                var pixels = (long)header.Width * header.Height;
                if (pixels > _options.MaxPixels)
                {
                    throw new MediaException(
                        $"too large: {header.Width}×{header.Height} is {pixels / 1e6:0.#} MP, above the limit of {_options.MaxPixels / 1e6:0.#} MP (Media:MaxPixels)");
                }
                orientation = header.Contains("orientation") ? (int)header.Get("orientation") : 1;
                (width, height) = orientation >= 5 ? (header.Height, header.Width) : (header.Width, header.Height);
            }

            // thumbnail_buffer shrinks on load (JPEG DCT scaling, WebP scaling) and applies EXIF orientation.
            // fail_on must reach the loader through its option string: the failOn argument does not (libvips 8.18).
            using var preview = ToEightBitOpaque(Image.ThumbnailBuffer(
                content, _options.PreviewSize, optionString: "fail_on=truncated", height: _options.PreviewSize, size: Enums.Size.Down));
            using var previewPixels = preview.CopyMemory();
            var decodeTime = clock.Elapsed;

            var previewJpeg = previewPixels.JpegsaveBuffer(q: _options.PreviewQuality, optimizeCoding: false, keep: Enums.ForeignKeep.None);
            using var thumbnail = previewPixels.ThumbnailImage(_options.ThumbnailSize, height: _options.ThumbnailSize, size: Enums.Size.Down);
            var thumbnailWebp = thumbnail.WebpsaveBuffer(q: _options.ThumbnailQuality, effort: 2, keep: Enums.ForeignKeep.None);
            var perceptualHash = ComputePerceptualHash(thumbnail);
            var encodeTime = clock.Elapsed - decodeTime;

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
                DecodeTime = decodeTime,
                EncodeTime = encodeTime,
                MetadataTime = clock.Elapsed - decodeTime - encodeTime,
            };
        }
        catch (VipsException e)
        {
            throw new MediaException(DescribeDecodeFailure(format, e), e);
        }
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

    private static string DescribeDecodeFailure(string format, VipsException e)
    {
        // libvips stacks its messages, the generic ones first: keep the loader's own, without its prefix.
        var detail = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith("unable to", StringComparison.Ordinal) && !line.StartsWith("VipsForeignLoad", StringComparison.Ordinal))
            .Select(line => line.Split(": ", 2) is [var source, var rest] && !source.Contains(' ', StringComparison.Ordinal) ? rest : line)
            .DefaultIfEmpty(e.Message.Trim())
            .First();
        if (format == "heif" && (detail.Contains("codec", StringComparison.OrdinalIgnoreCase) || detail.Contains("decoder", StringComparison.OrdinalIgnoreCase) || detail.Contains("compression", StringComparison.OrdinalIgnoreCase)))
        {
            return $"HEIC/HEIF photo this build cannot decode (libheif has no HEVC decoder here; AVIF works): {detail}";
        }
        if (detail.Contains("premature end", StringComparison.OrdinalIgnoreCase) || detail.Contains("truncated", StringComparison.OrdinalIgnoreCase) || detail.Contains("out of data", StringComparison.OrdinalIgnoreCase))
        {
            return $"truncated {format} file: {detail}";
        }
        return $"corrupt {format} file: {detail}";
    }
}
