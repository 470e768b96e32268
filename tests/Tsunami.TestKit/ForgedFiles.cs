using System.Buffers.Binary;
using System.Text;

namespace Tsunami.TestKit;

/// <summary>Hostile files made byte by byte: what no well-behaved encoder would write.</summary>
public static class ForgedFiles
{
    /// <summary>A tiny PNG whose header claims <paramref name="width"/>×<paramref name="height"/> pixels: a decompression bomb.</summary>
    public static byte[] PngClaiming(int width, int height)
    {
        var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // RGB
        WriteChunk(output, "IHDR", header);
        WriteChunk(output, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    /// <summary>The first <paramref name="fraction"/> of a file, as an interrupted copy leaves it.</summary>
    public static byte[] Truncated(byte[] content, double fraction) => content[..(int)(content.Length * fraction)];

    /// <summary>A valid header followed by garbage: a corrupt body behind a believable start.</summary>
    public static byte[] CorruptBody(byte[] content, int keep = 600)
    {
        var corrupt = (byte[])content.Clone();
        var random = new Random(7);
        for (var i = keep; i < corrupt.Length; i++)
        {
            corrupt[i] = (byte)random.Next(256);
        }
        return corrupt;
    }

    private static void WriteChunk(Stream output, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        output.Write(typeAndData);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typeAndData));
        output.Write(crc);
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }
        return ~crc;
    }
}
