using NetVips;

namespace Tsunami.TestKit;

/// <summary>Photos made by the tests: real encoders (libvips), content that differs per seed.</summary>
public static class TestPhotos
{
    /// <summary>A smooth colour image with a few shapes, different for every seed.</summary>
    public static Image Synthetic(int width, int height, int seed)
    {
        var random = new Random(seed);
        using var x = Image.Xyz(width, height);
        using var xs = x[0];
        using var ys = x[1];
        var fx = random.Next(2, 40);
        var fy = random.Next(2, 40);
        using var red = ((xs * (255.0 / width)) + random.Next(0, 60)).Cast(Enums.BandFormat.Uchar);
        using var green = ((ys * (255.0 / height)) + random.Next(0, 60)).Cast(Enums.BandFormat.Uchar);
        using var blue = (((xs / (double)fx).Sin() * 60.0) + ((ys / (double)fy).Cos() * 60.0) + 128.0).Cast(Enums.BandFormat.Uchar);
        var image = red.Bandjoin(green, blue).Copy(interpretation: Enums.Interpretation.Srgb);
        for (var i = 0; i < 6; i++)
        {
            var w = random.Next(width / 10, width / 3);
            var h = random.Next(height / 10, height / 3);
            double[] ink = [random.Next(256), random.Next(256), random.Next(256)];
            var (left, top) = (random.Next(0, width - w), random.Next(0, height - h));
            var drawn = image.Mutate(canvas => canvas.DrawRect(ink, left, top, w, h, fill: true));
            image.Dispose();
            image = drawn;
        }
        return image;
    }

    public static byte[] Jpeg(int width, int height, int seed, int quality = 90)
    {
        using var image = Synthetic(width, height, seed);
        return image.JpegsaveBuffer(q: quality, keep: Enums.ForeignKeep.None);
    }

    public static byte[] Png(int width, int height, int seed)
    {
        using var image = Synthetic(width, height, seed);
        return image.PngsaveBuffer(compression: 1);
    }

    public static byte[] Encode(Image image, string format) => format switch
    {
        "jpeg" => image.JpegsaveBuffer(q: 90),
        "png" => image.PngsaveBuffer(compression: 1),
        "webp" => image.WebpsaveBuffer(q: 80),
        "tiff" => image.TiffsaveBuffer(),
        "gif" => image.GifsaveBuffer(),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "no encoder"),
    };

    /// <summary>Writes bytes to a file, creating its folder.</summary>
    public static string Write(string path, byte[] content)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }
}
