using Tsunami.Core.Imaging;

namespace Tsunami.Inference.Clip;

/// <summary>
/// The vision tower's input from a view whose shorter side is already the model's size (bicubic, see
/// <see cref="ViewSize.ShorterBicubic"/>): the centre square, as (value / 255 − mean) / std per channel, channels first.
/// </summary>
public static class ClipImageTensor
{
    public static ViewSize View(ClipPreprocessing preprocessing) => ViewSize.ShorterBicubic(preprocessing.Size);

    /// <summary>Writes one image's 3 × size × size values into <paramref name="tensor"/>.</summary>
    /// <exception cref="ArgumentException">The view is smaller than the model's size.</exception>
    public static void Write(RgbImage view, ClipPreprocessing preprocessing, Span<float> tensor)
    {
        var size = preprocessing.Size;
        if (view.Width < size || view.Height < size)
        {
            throw new ArgumentException($"a {view.Width}×{view.Height} view cannot give a {size}×{size} crop", nameof(view));
        }
        // Centre crop: the same rounding as torchvision's CenterCrop.
        var left = (int)Math.Round((view.Width - size) / 2.0, MidpointRounding.ToEven);
        var top = (int)Math.Round((view.Height - size) / 2.0, MidpointRounding.ToEven);
        Span<float> scale = stackalloc float[3];
        Span<float> offset = stackalloc float[3];
        for (var c = 0; c < 3; c++)
        {
            scale[c] = 1f / (255f * preprocessing.Std[c]);
            offset[c] = preprocessing.Mean[c] / preprocessing.Std[c];
        }
        var plane = size * size;
        var pixels = view.Pixels;
        for (var y = 0; y < size; y++)
        {
            var row = ((top + y) * view.Width + left) * 3;
            for (var x = 0; x < size; x++)
            {
                var source = row + x * 3;
                var target = y * size + x;
                tensor[target] = pixels[source] * scale[0] - offset[0];
                tensor[plane + target] = pixels[source + 1] * scale[1] - offset[1];
                tensor[2 * plane + target] = pixels[source + 2] * scale[2] - offset[2];
            }
        }
    }
}
