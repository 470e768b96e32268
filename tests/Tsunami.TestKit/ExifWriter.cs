using System.Buffers.Binary;
using System.Text;

namespace Tsunami.TestKit;

/// <summary>What a test writes into a JPEG's EXIF.</summary>
public sealed record ExifFields
{
    public string? Make { get; init; }
    public string? Model { get; init; }
    public int? Orientation { get; init; }

    /// <summary>Written as DateTimeOriginal ("yyyy:MM:dd HH:mm:ss") and, with an offset, OffsetTimeOriginal.</summary>
    public DateTime? TakenAt { get; init; }

    public TimeSpan? Offset { get; init; }
    public double? Latitude { get; init; }
    public double? Longitude { get; init; }
}

/// <summary>
/// Writes a little-endian TIFF/EXIF APP1 segment (IFD0, Exif IFD, GPS IFD) and splices it after a JPEG's SOI:
/// the tests make their own EXIF rather than trust the decoder under test to write it.
/// </summary>
public static class ExifWriter
{
    private const ushort Ascii = 2, Short = 3, Long = 4, Rational = 5;

    public static byte[] AddExif(byte[] jpeg, ExifFields fields)
    {
        if (jpeg.Length < 2 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
        {
            throw new ArgumentException("not a JPEG", nameof(jpeg));
        }
        var tiff = BuildTiff(fields);
        var segment = new byte[4 + 6 + tiff.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(2 + 6 + tiff.Length));
        "Exif\0\0"u8.CopyTo(segment.AsSpan(4));
        tiff.CopyTo(segment.AsSpan(10));
        return [.. jpeg.AsSpan(0, 2), .. segment, .. jpeg.AsSpan(2)];
    }

    private static byte[] BuildTiff(ExifFields f)
    {
        var ifd0 = new List<Entry>();
        if (f.Make is not null) { ifd0.Add(Entry.Text(0x010F, f.Make)); }
        if (f.Model is not null) { ifd0.Add(Entry.Text(0x0110, f.Model)); }
        if (f.Orientation is { } o) { ifd0.Add(new Entry(0x0112, Short, 1, BitConverter.GetBytes((ushort)o))); }

        var exif = new List<Entry>();
        if (f.TakenAt is { } t) { exif.Add(Entry.Text(0x9003, t.ToString("yyyy:MM:dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture))); }
        if (f.Offset is { } off) { exif.Add(Entry.Text(0x9011, $"{(off < TimeSpan.Zero ? '-' : '+')}{off.Duration():hh\\:mm}")); }

        var gps = new List<Entry>();
        if (f.Latitude is { } lat && f.Longitude is { } lon)
        {
            gps.Add(Entry.Text(0x0001, lat >= 0 ? "N" : "S"));
            gps.Add(Entry.Degrees(0x0002, Math.Abs(lat)));
            gps.Add(Entry.Text(0x0003, lon >= 0 ? "E" : "W"));
            gps.Add(Entry.Degrees(0x0004, Math.Abs(lon)));
        }

        // Layout: header, IFD0, Exif IFD, GPS IFD, then each IFD's out-of-line values.
        var ifd0Count = ifd0.Count + (exif.Count > 0 ? 1 : 0) + (gps.Count > 0 ? 1 : 0);
        var ifd0Offset = 8;
        var exifOffset = ifd0Offset + IfdSize(ifd0Count);
        var gpsOffset = exifOffset + (exif.Count > 0 ? IfdSize(exif.Count) : 0);
        var dataOffset = gpsOffset + (gps.Count > 0 ? IfdSize(gps.Count) : 0);
        if (exif.Count > 0) { ifd0.Add(new Entry(0x8769, Long, 1, BitConverter.GetBytes((uint)exifOffset))); }
        if (gps.Count > 0) { ifd0.Add(new Entry(0x8825, Long, 1, BitConverter.GetBytes((uint)gpsOffset))); }

        var output = new MemoryStream();
        output.Write("II*\0"u8);
        output.Write(BitConverter.GetBytes((uint)ifd0Offset));
        var data = new MemoryStream();
        WriteIfd(output, data, ifd0, dataOffset);
        if (exif.Count > 0) { WriteIfd(output, data, exif, dataOffset); }
        if (gps.Count > 0) { WriteIfd(output, data, gps, dataOffset); }
        data.WriteTo(output);
        return output.ToArray();
    }

    private static int IfdSize(int entries) => 2 + (12 * entries) + 4;

    private static void WriteIfd(MemoryStream output, MemoryStream data, List<Entry> entries, int dataOffset)
    {
        output.Write(BitConverter.GetBytes((ushort)entries.Count));
        foreach (var entry in entries.OrderBy(e => e.Tag))
        {
            output.Write(BitConverter.GetBytes(entry.Tag));
            output.Write(BitConverter.GetBytes(entry.Type));
            output.Write(BitConverter.GetBytes(entry.Count));
            if (entry.Value.Length <= 4)
            {
                var inline = new byte[4];
                entry.Value.CopyTo(inline, 0);
                output.Write(inline);
            }
            else
            {
                output.Write(BitConverter.GetBytes((uint)(dataOffset + data.Length)));
                data.Write(entry.Value);
                if (data.Length % 2 == 1) { data.WriteByte(0); }
            }
        }
        output.Write(BitConverter.GetBytes(0u));
    }

    private sealed record Entry(ushort Tag, ushort Type, uint Count, byte[] Value)
    {
        public static Entry Text(ushort tag, string text)
        {
            var bytes = Encoding.ASCII.GetBytes(text + "\0");
            return new Entry(tag, Ascii, (uint)bytes.Length, bytes);
        }

        public static Entry Degrees(ushort tag, double value)
        {
            var degrees = Math.Floor(value);
            var minutes = Math.Floor((value - degrees) * 60);
            var seconds = (value - degrees - (minutes / 60)) * 3600;
            var bytes = new byte[24];
            WriteRational(bytes.AsSpan(0), (uint)degrees, 1);
            WriteRational(bytes.AsSpan(8), (uint)minutes, 1);
            WriteRational(bytes.AsSpan(16), (uint)Math.Round(seconds * 10000), 10000);
            return new Entry(tag, Rational, 3, bytes);
        }

        private static void WriteRational(Span<byte> span, uint numerator, uint denominator)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span, numerator);
            BinaryPrimitives.WriteUInt32LittleEndian(span[4..], denominator);
        }
    }
}
