namespace Tsunami.Core.Imaging;

/// <summary>A size a consumer wants an image at: its longer side (fit inside a square), or its shorter side.</summary>
public readonly record struct ViewSize(int Pixels, bool ShorterSide = false)
{
    public static ViewSize Longer(int pixels) => new(pixels);

    public static ViewSize Shorter(int pixels) => new(pixels, ShorterSide: true);
}
