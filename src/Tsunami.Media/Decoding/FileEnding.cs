using System.Buffers.Binary;
using System.IO.Hashing;

namespace Tsunami.Media.Decoding;

/// <summary>
/// Whether a JPEG or PNG that failed to decode was cut short or is damaged, read from its own structure. libvips'
/// error buffer is shared by all threads, so under parallel ingest its message can belong to another photo (CI saw
/// a PNG reported with "premature end of JPEG"); the bytes cannot.
/// </summary>
internal static class FileEnding
{
    private static ReadOnlySpan<byte> EndOfImage => [0xFF, 0xD9];

    /// <summary>True: cut short; false: complete but damaged; null: not a format this can tell.</summary>
    public static bool? IsTruncated(string format, byte[] content) => format switch
    {
        "jpeg" => !content.AsSpan().TrimEnd((byte)0).EndsWith(EndOfImage),
        "png" => PngIsTruncated(content),
        _ => null,
    };

    /// <summary>Walks the chunks: one whose checksum fails means damage; running out of bytes before IEND, a cut.</summary>
    private static bool PngIsTruncated(byte[] content)
    {
        var offset = 8; // the signature
        while (true)
        {
            if (content.Length - offset < 12)
            {
                return true;
            }
            var length = BinaryPrimitives.ReadUInt32BigEndian(content.AsSpan(offset));
            if (length > int.MaxValue)
            {
                return false; // PNG caps chunk lengths at 2^31 − 1: this one is garbage
            }
            if (content.Length - offset - 12 < length)
            {
                return true; // cut inside this chunk
            }
            var typeAndData = content.AsSpan(offset + 4, 4 + (int)length);
            if (Crc32.HashToUInt32(typeAndData) != BinaryPrimitives.ReadUInt32BigEndian(content.AsSpan(offset + 8 + (int)length)))
            {
                return false;
            }
            if (typeAndData.StartsWith("IEND"u8))
            {
                return false;
            }
            offset += 12 + (int)length;
        }
    }
}
