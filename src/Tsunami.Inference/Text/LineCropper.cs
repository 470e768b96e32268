using Tsunami.Core.Imaging;

namespace Tsunami.Inference.Text;

/// <summary>Cuts a detected line out of the image, straightened (the quads are rotated rectangles, so affine is exact).</summary>
internal static class LineCropper
{
    public static RgbImage Crop(RgbImage image, Quad quad)
    {
        var width = Math.Max(1, (int)Math.Round(quad.Width));
        var height = Math.Max(1, (int)Math.Round(quad.Height));
        var pixels = new byte[width * height * 3];
        var (origin, across, down) = (quad.TopLeft, quad.TopRight - quad.TopLeft, quad.BottomLeft - quad.TopLeft);
        for (var v = 0; v < height; v++)
        {
            for (var u = 0; u < width; u++)
            {
                var p = origin + (across * ((u + 0.5f) / width)) + (down * ((v + 0.5f) / height));
                Sample(image, p.X - 0.5f, p.Y - 0.5f, pixels.AsSpan(((v * width) + u) * 3, 3));
            }
        }
        var crop = new RgbImage(width, height, pixels);
        // A line standing on its end reads left-to-right once turned a quarter anticlockwise (PaddleOCR's rot90).
        return height >= 1.5 * width ? RotateAnticlockwise(crop) : crop;
    }

    public static RgbImage Rotate180(RgbImage image)
    {
        var pixels = new byte[image.Pixels.Length];
        var count = image.Width * image.Height;
        for (var i = 0; i < count; i++)
        {
            image.Pixels.AsSpan(i * 3, 3).CopyTo(pixels.AsSpan((count - 1 - i) * 3, 3));
        }
        return new RgbImage(image.Width, image.Height, pixels);
    }

    private static RgbImage RotateAnticlockwise(RgbImage image)
    {
        var (width, height) = (image.Height, image.Width);
        var pixels = new byte[image.Pixels.Length];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                // Row y of the result is column (W − 1 − y) of the source, read top to bottom.
                var source = ((x * image.Width) + (image.Width - 1 - y)) * 3;
                image.Pixels.AsSpan(source, 3).CopyTo(pixels.AsSpan(((y * width) + x) * 3, 3));
            }
        }
        return new RgbImage(width, height, pixels);
    }

    private static void Sample(RgbImage image, float x, float y, Span<byte> rgb)
    {
        var x0 = Math.Clamp((int)Math.Floor(x), 0, image.Width - 1);
        var y0 = Math.Clamp((int)Math.Floor(y), 0, image.Height - 1);
        var x1 = Math.Min(x0 + 1, image.Width - 1);
        var y1 = Math.Min(y0 + 1, image.Height - 1);
        var fx = Math.Clamp(x - x0, 0, 1);
        var fy = Math.Clamp(y - y0, 0, 1);
        var p = image.Pixels;
        for (var c = 0; c < 3; c++)
        {
            var top = (p[(((y0 * image.Width) + x0) * 3) + c] * (1 - fx)) + (p[(((y0 * image.Width) + x1) * 3) + c] * fx);
            var bottom = (p[(((y1 * image.Width) + x0) * 3) + c] * (1 - fx)) + (p[(((y1 * image.Width) + x1) * 3) + c] * fx);
            rgb[c] = (byte)Math.Clamp(Math.Round((top * (1 - fy)) + (bottom * fy)), 0, 255);
        }
    }
}
