namespace Tsunami.Core.Imaging;

/// <summary>
/// A size a consumer wants an image at: its longer side (fit inside a square), or its shorter side. Views are never
/// enlarged and are resized with a linear kernel, except <see cref="Bicubic"/> ones: their shorter side is made
/// exactly this size, enlarging if need be, with a bicubic kernel (what CLIP's preprocessing asks for).
/// </summary>
public readonly record struct ViewSize(int Pixels, bool ShorterSide = false, bool Bicubic = false)
{
    public static ViewSize Longer(int pixels) => new(pixels);

    public static ViewSize Shorter(int pixels) => new(pixels, ShorterSide: true);

    public static ViewSize ShorterBicubic(int pixels) => new(pixels, ShorterSide: true, Bicubic: true);
}
