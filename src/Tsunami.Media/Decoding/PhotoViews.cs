using NetVips;
using Tsunami.Core.Imaging;

namespace Tsunami.Media.Decoding;

/// <summary>
/// One photo's upright pixels at the sizes the models read, all made from a single decode: the sizes asked for up
/// front at once, any other when first read (the text detector's view, which only photos with text need). Holds the
/// decoded pixels until disposed. Thread-safe.
/// </summary>
/// <remarks>
/// The decode may have been shrunk on load (a JPEG's DCT scaling) to the size the up-front views need; a view larger
/// than that decodes the photo once more at full size, when first read.
/// </remarks>
public sealed class PhotoViews : IDisposable
{
    private readonly Image _source;
    private readonly int _width;
    private readonly int _height;
    private readonly Func<Image>? _decodeFullSize;
    private Image? _fullSize;
    private readonly Dictionary<ViewSize, RgbImage> _made = [];
    private readonly Lock _gate = new();
    private bool _disposed;

    /// <param name="source">Decoded upright 8-bit pixels in memory; the views own it from here.</param>
    /// <param name="sizes">The views to make now.</param>
    /// <param name="shrunk">
    /// When <paramref name="source"/> was shrunk on load: the photo's upright size, and how to decode it at that size.
    /// </param>
    internal PhotoViews(Image source, IReadOnlyList<ViewSize> sizes, (int Width, int Height, Func<Image> Decode)? shrunk = null)
    {
        _source = source;
        (_width, _height, _decodeFullSize) = shrunk is { } full ? full : (source.Width, source.Height, null);
        try
        {
            // Largest first, so that each smaller view is made from the smallest one still large enough.
            foreach (var size in sizes.OrderByDescending(Longest))
            {
                Make(size);
            }
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>The size of the pixels decoded up front: the photo's own, or less when shrunk on load.</summary>
    internal (int Width, int Height) Decoded => (_source.Width, _source.Height);

    /// <summary>The view at this size, made now if it has not been.</summary>
    /// <exception cref="ObjectDisposedException">The views were disposed.</exception>
    public RgbImage this[ViewSize size]
    {
        get
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                return _made.TryGetValue(size, out var view) ? view : Make(size);
            }
        }
    }

    /// <summary>The view at this size, made when the caller first reads it (never, if it does not).</summary>
    public Lazy<RgbImage> Deferred(ViewSize size) => new(() => this[size]);

    /// <summary>The sizes made so far.</summary>
    public IReadOnlyCollection<ViewSize> Made
    {
        get
        {
            lock (_gate)
            {
                return [.. _made.Keys];
            }
        }
    }

    /// <summary>
    /// A view from the smallest one already made that is still large enough (bicubic ones from the decoded pixels),
    /// resized straight into its managed pixels, which the next view reads in place: no copy of each view held in
    /// libvips' memory besides (that copy was a quarter of the views' time, bench enrich).
    /// </summary>
    private RgbImage Make(ViewSize size)
    {
        var target = Longest(size);
        var from = size.Bicubic ? null : _made.Values.Where(v => Math.Max(v.Width, v.Height) >= target).MinBy(v => v.Width);
        using var image = from is null ? PixelsFor(target).Copy() : Image.NewFromMemory(from.Pixels, from.Width, from.Height, 3, Enums.BandFormat.Uchar);
        using var resized = Resized(image, size);
        var view = PhotoProcessor.ToRgb(resized);
        _made[size] = view;
        return view;
    }

    /// <summary>The decoded pixels if they are large enough for a view this long, else the photo decoded at full size.</summary>
    private Image PixelsFor(double longest) =>
        _decodeFullSize is null || Math.Max(_source.Width, _source.Height) >= Math.Ceiling(longest) ? _source : _fullSize ??= _decodeFullSize();

    /// <summary>The longer side a view at this size has: the photo's, shrunk to the size asked for.</summary>
    internal static double Longest(ViewSize size, int width, int height)
    {
        var side = size.ShorterSide ? Math.Min(width, height) : Math.Max(width, height);
        return Math.Max(width, height) * Math.Min(1.0, (double)size.Pixels / side);
    }

    private double Longest(ViewSize size) => Longest(size, _width, _height);

    private static Image Resized(Image image, ViewSize size)
    {
        var side = size.ShorterSide ? Math.Min(image.Width, image.Height) : Math.Max(image.Width, image.Height);
        var scale = (double)size.Pixels / side;
        return scale == 1 || (scale > 1 && !size.Bicubic)
            ? image.Copy()
            : image.Resize(scale, size.Bicubic ? Enums.Kernel.Cubic : Enums.Kernel.Linear);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _disposed = true;
                _source.Dispose();
                _fullSize?.Dispose();
            }
        }
    }
}
