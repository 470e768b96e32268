namespace Tsunami.Core.Enrichment;

/// <summary>An axis-aligned box in pixels of the upright image.</summary>
public readonly record struct Box(float X, float Y, float Width, float Height)
{
    public float Area => Width * Height;

    public float IntersectionOverUnion(Box other)
    {
        var left = Math.Max(X, other.X);
        var top = Math.Max(Y, other.Y);
        var right = Math.Min(X + Width, other.X + other.Width);
        var bottom = Math.Min(Y + Height, other.Y + other.Height);
        var intersection = Math.Max(0, right - left) * Math.Max(0, bottom - top);
        var union = Area + other.Area - intersection;
        return union <= 0 ? 0 : intersection / union;
    }

    /// <summary>The box in another resolution of the same image (from the preview to the original).</summary>
    public Box Scale(float factor) => new(X * factor, Y * factor, Width * factor, Height * factor);
}
