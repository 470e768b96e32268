namespace Tsunami.Media.Decoding;

/// <summary>Tells the image format from the first bytes of a file, whatever its extension says.</summary>
public static class ImageFormatSniffer
{
    public static string? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "jpeg";
        }
        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "png";
        }
        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8))
        {
            return "gif";
        }
        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        {
            return "webp";
        }
        if (head.StartsWith("II*\0"u8) || head.StartsWith("MM\0*"u8))
        {
            return "tiff";
        }
        if (head.Length >= 12 && head[4..8].SequenceEqual("ftyp"u8) && IsHeifBrand(head[8..12]))
        {
            return "heif";
        }
        return null;
    }

    private static bool IsHeifBrand(ReadOnlySpan<byte> brand) =>
        brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("hevc"u8) ||
        brand.SequenceEqual("heim"u8) || brand.SequenceEqual("heis"u8) || brand.SequenceEqual("mif1"u8) ||
        brand.SequenceEqual("msf1"u8) || brand.SequenceEqual("avif"u8) || brand.SequenceEqual("avis"u8);

    /// <summary>Describes what a non-image file looks like, for the error message.</summary>
    public static string DescribeNonImage(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty)
        {
            return "the file is empty";
        }
        if (head.StartsWith("%PDF"u8))
        {
            return "the content is a PDF document, not an image";
        }
        if (head.StartsWith("PK\u0003\u0004"u8))
        {
            return "the content is a ZIP archive, not an image";
        }
        return AllTextLike(head[..Math.Min(head.Length, 512)])
            ? "the content is text, not an image"
            : $"the content is not a supported image format (starts with {Convert.ToHexString(head[..Math.Min(head.Length, 8)])})";
    }

    private static bool AllTextLike(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is < 0x20 and not (0x09 or 0x0A or 0x0D))
            {
                return false;
            }
        }
        return true;
    }
}
