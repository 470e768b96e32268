using System.Globalization;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Xmp;
using Tsunami.Core.Assets;
using Directory = MetadataExtractor.Directory;

namespace Tsunami.Media.Metadata;

/// <summary>Reads EXIF, GPS and XMP with MetadataExtractor into <see cref="CaptureMetadata"/>.</summary>
public static class CaptureMetadataReader
{
    private const int TagOffsetTimeOriginal = 0x9011;
    private const int MaxValueLength = 256;

    /// <summary>Never throws for bad metadata: a photo with unreadable EXIF is still a photo.</summary>
    public static CaptureMetadata Read(ReadOnlyMemory<byte> content)
    {
        IReadOnlyList<Directory> directories;
        try
        {
            using var stream = new MemoryStream(content.ToArray(), writable: false);
            directories = ImageMetadataReader.ReadMetadata(stream);
        }
        catch (Exception e) when (e is ImageProcessingException or IOException or ArgumentException or IndexOutOfRangeException)
        {
            return new CaptureMetadata();
        }

        var ifd0 = directories.OfType<ExifIfd0Directory>().FirstOrDefault();
        var subIfd = directories.OfType<ExifSubIfdDirectory>().FirstOrDefault();
        var gps = directories.OfType<GpsDirectory>().FirstOrDefault();
        var xmp = directories.OfType<XmpDirectory>().FirstOrDefault();

        return new CaptureMetadata
        {
            TakenAt = ReadTakenAt(subIfd, ifd0, xmp),
            Location = gps?.GetGeoLocation() is { IsZero: false } g ? new GeoPoint(g.Latitude, g.Longitude) : null,
            CameraMake = Clean(ifd0?.GetString(ExifDirectoryBase.TagMake)),
            CameraModel = Clean(ifd0?.GetString(ExifDirectoryBase.TagModel)),
            Orientation = ifd0 is not null && ifd0.TryGetInt32(ExifDirectoryBase.TagOrientation, out var o) && o is >= 1 and <= 8 ? o : 1,
            Tags = CollectTags(directories),
        };
    }

    /// <summary>
    /// EXIF times are wall-clock times; with an OffsetTimeOriginal tag they are exact, without one they are kept
    /// as the wall-clock time labelled UTC, so that "taken on March 3" means what the camera showed.
    /// </summary>
    private static DateTimeOffset? ReadTakenAt(ExifSubIfdDirectory? subIfd, ExifIfd0Directory? ifd0, XmpDirectory? xmp)
    {
        DateTime wallClock;
        if (subIfd is not null &&
            (subIfd.TryGetDateTime(ExifDirectoryBase.TagDateTimeOriginal, out wallClock) ||
             subIfd.TryGetDateTime(ExifDirectoryBase.TagDateTimeDigitized, out wallClock)))
        {
            var offset = ParseOffset(subIfd.GetString(TagOffsetTimeOriginal));
            return new DateTimeOffset(DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified), offset);
        }
        if (ifd0 is not null && ifd0.TryGetDateTime(ExifDirectoryBase.TagDateTime, out wallClock))
        {
            return new DateTimeOffset(DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified), TimeSpan.Zero);
        }
        if (xmp is not null)
        {
            foreach (var (key, value) in xmp.GetXmpProperties())
            {
                if (key is "xmp:CreateDate" or "exif:DateTimeOriginal" or "photoshop:DateCreated" &&
                    DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    return parsed;
                }
            }
        }
        return null;
    }

    private static TimeSpan ParseOffset(string? text) =>
        text is { Length: 6 } && TimeSpan.TryParseExact(text.TrimStart('+', '-'), @"hh\:mm", CultureInfo.InvariantCulture, out var span)
            ? (text[0] == '-' ? -span : span)
            : TimeSpan.Zero;

    private static Dictionary<string, string> CollectTags(IReadOnlyList<Directory> directories)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var directory in directories)
        {
            if (directory is XmpDirectory xmp)
            {
                foreach (var (key, value) in xmp.GetXmpProperties())
                {
                    AddTag(tags, $"XMP/{key}", value);
                }
                continue;
            }
            if (directory is not (ExifIfd0Directory or ExifSubIfdDirectory or GpsDirectory))
            {
                continue;
            }
            foreach (var tag in directory.Tags)
            {
                if (tag.HasName)
                {
                    AddTag(tags, $"{directory.Name}/{tag.Name}", tag.Description);
                }
            }
        }
        return tags;
    }

    private static void AddTag(Dictionary<string, string> tags, string key, string? value)
    {
        var clean = Clean(value);
        if (clean is not null && clean.Length <= MaxValueLength)
        {
            tags.TryAdd(key, clean);
        }
    }

    private static string? Clean(string? value)
    {
        var trimmed = value?.Trim().TrimEnd('\0').Trim();
        return string.IsNullOrEmpty(trimmed) ? null : trimmed;
    }
}
