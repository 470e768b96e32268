using Tsunami.Core.Imaging;

namespace Tsunami.Inference.Vision;

/// <summary>The image-to-tensor layouts the default models were validated with (../shared/models/MODELS.md).</summary>
internal static class ModelInputs
{
    /// <summary>
    /// Scales the image by r = min(size/w, size/h) into the top-left corner of a size × size canvas filled with
    /// <paramref name="fill"/>; raw 0–255 values, BGR when <paramref name="bgr"/>; one NCHW image.
    /// </summary>
    public static (float[] Tensor, float Ratio) Letterbox(RgbImage image, int size, float fill, bool bgr)
    {
        var ratio = Math.Min((float)size / image.Width, (float)size / image.Height);
        var width = Math.Clamp((int)Math.Round(image.Width * ratio), 1, size);
        var height = Math.Clamp((int)Math.Round(image.Height * ratio), 1, size);
        var tensor = new float[3 * size * size];
        Array.Fill(tensor, fill);
        if (width == image.Width && height == image.Height)
        {
            // The view is already at model size (PhotoProcessor made it): straight into the planes.
            Planes(image, tensor, size, bgr, [1f, 1f, 1f], [0f, 0f, 0f]);
            return (tensor, ratio);
        }
        var planar = Resampler.ToPlanar(image, 0, 0, image.Width, image.Height, width, height);
        for (var channel = 0; channel < 3; channel++)
        {
            var source = (bgr ? 2 - channel : channel) * width * height;
            var target = channel * size * size;
            for (var y = 0; y < height; y++)
            {
                planar.AsSpan(source + (y * width), width).CopyTo(tensor.AsSpan(target + (y * size), width));
            }
        }
        return (tensor, ratio);
    }

    /// <summary>
    /// Interleaved RGB bytes into the top-left of three planes <paramref name="planeWidth"/> wide (channels reversed when
    /// <paramref name="bgr"/>), each value as value × scale + offset of its source channel (R, G, B); the rest is left as is.
    /// </summary>
    public static void Planes(RgbImage image, Span<float> tensor, int planeWidth, bool bgr, ReadOnlySpan<float> scale, ReadOnlySpan<float> offset)
    {
        var plane = tensor.Length / 3;
        var (first, last) = bgr ? (2, 0) : (0, 2);
        var (s0, s1, s2) = (scale[0], scale[1], scale[2]);
        var (o0, o1, o2) = (offset[0], offset[1], offset[2]);
        var pixels = image.Pixels;
        for (var y = 0; y < image.Height; y++)
        {
            var row = y * image.Width * 3;
            var p0 = tensor.Slice((first * plane) + (y * planeWidth), image.Width);
            var p1 = tensor.Slice(plane + (y * planeWidth), image.Width);
            var p2 = tensor.Slice((last * plane) + (y * planeWidth), image.Width);
            for (var x = 0; x < image.Width; x++)
            {
                var source = row + (x * 3);
                p0[x] = (pixels[source] * s0) + o0;
                p1[x] = (pixels[source + 1] * s1) + o1;
                p2[x] = (pixels[source + 2] * s2) + o2;
            }
        }
    }

    /// <summary>
    /// A text line for PP-OCR's classifier and recogniser: height <paramref name="height"/> keeping the aspect
    /// (squeezed only past <paramref name="width"/>), BGR, x/127.5 − 1, zero padding on the right.
    /// </summary>
    public static void TextLine(RgbImage image, int height, int width, Span<float> target)
    {
        var scaled = Math.Clamp((int)Math.Ceiling(height * (double)image.Width / image.Height), 1, width);
        var planar = Resampler.ToPlanar(image, 0, 0, image.Width, image.Height, scaled, height);
        for (var c = 0; c < 3; c++)
        {
            var source = planar.AsSpan((2 - c) * scaled * height, scaled * height);
            var plane = target.Slice(c * height * width, height * width);
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < scaled; x++)
                {
                    plane[(y * width) + x] = (source[(y * scaled) + x] * (1 / 127.5f)) - 1f;
                }
            }
        }
    }

    /// <summary>
    /// Resize the shorter side to <paramref name="resize"/>, take the centred <paramref name="crop"/> square, x/255,
    /// then (x − mean) / std per RGB channel, written as image <paramref name="index"/> of an NCHW batch.
    /// </summary>
    public static void CentreCropNormalised(RgbImage image, int resize, int crop, float[] mean, float[] std, Span<float> batch, int index)
    {
        var side = Math.Min(image.Width, image.Height) * crop / (double)resize;
        var x = (image.Width - side) / 2;
        var y = (image.Height - side) / 2;
        var region = Math.Max(1, (int)Math.Round(side));
        var planar = Resampler.ToPlanar(image, (int)Math.Round(x), (int)Math.Round(y), Math.Min(region, image.Width), Math.Min(region, image.Height), crop, crop);
        var plane = crop * crop;
        var target = batch.Slice(index * 3 * plane, 3 * plane);
        for (var channel = 0; channel < 3; channel++)
        {
            var scale = 1f / (255f * std[channel]);
            var offset = mean[channel] / std[channel];
            var source = planar.AsSpan(channel * plane, plane);
            var destination = target.Slice(channel * plane, plane);
            for (var i = 0; i < plane; i++)
            {
                destination[i] = (source[i] * scale) - offset;
            }
        }
    }
}
