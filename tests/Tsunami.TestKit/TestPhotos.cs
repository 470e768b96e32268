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

/// <summary>Signs with known text, rendered by the tests (libvips + Pango with the system's DejaVu fonts).</summary>
public static class TextPhotos
{
    /// <summary>Black text on a yellow sign, placed on a synthetic scene, turned by <paramref name="angle"/> degrees.</summary>
    public static byte[] Sign(string text, double angle = 0, int seed = 1, bool noise = false)
    {
        using var mask = Image.Text(text, font: "DejaVu Sans Bold 40", dpi: 72);
        using var sign = mask.Ifthenelse(new double[] { 10, 10, 10 }, new double[] { 250, 205, 20 }, blend: true);
        using var padded = sign.Embed(30, 20, sign.Width + 60, sign.Height + 40, extend: Enums.Extend.Background, background: [250, 205, 20]);
        using var scene = TestPhotos.Synthetic(Math.Max(900, padded.Width + 200), 600, seed);
        using var placed = scene.Insert(padded, (scene.Width - padded.Width) / 2, (scene.Height - padded.Height) / 2);
        using var turned = angle == 0 ? placed.Copy() : placed.Rotate(angle, background: [128, 128, 128]);
        using var final = noise ? (turned + Image.Gaussnoise(turned.Width, turned.Height, sigma: 8, mean: 0, seed: seed)).Cast(Enums.BandFormat.Uchar) : turned.Copy();
        return final.JpegsaveBuffer(q: 90);
    }
}
