using Tsunami.Core.Imaging;

namespace Tsunami.Media.Tests;

public sealed class PhotoViewsTests
{
    private static readonly byte[] Kite = File.ReadAllBytes(RepositoryPaths.Sample("darknet/kite.jpg"));

    [Fact]
    public void The_sizes_asked_for_are_made_at_once_and_no_other()
    {
        using var views = Processing.Processor().OpenViews(Kite, [ViewSize.Longer(416), ViewSize.Shorter(224)]);

        Assert.Equal([ViewSize.Longer(416), ViewSize.Shorter(224)], views.Made.OrderByDescending(s => s.Pixels));
        Assert.Equal((416, 277), (views[ViewSize.Longer(416)].Width, views[ViewSize.Longer(416)].Height));
        Assert.Equal(224, views[ViewSize.Shorter(224)].Height);
        Assert.InRange(views[ViewSize.Shorter(224)].Width, 336, 337);
    }

    [Fact]
    public void A_view_read_later_is_made_then_from_the_same_pixels_as_one_made_up_front()
    {
        using var views = Processing.Processor().OpenViews(Kite, [ViewSize.Longer(320)]);
        var deferred = views.Deferred(ViewSize.Longer(960));
        Assert.False(deferred.IsValueCreated);
        Assert.DoesNotContain(ViewSize.Longer(960), views.Made);

        var late = deferred.Value;

        Assert.Contains(ViewSize.Longer(960), views.Made);
        Assert.Same(late, views[ViewSize.Longer(960)]);
        var upFront = Processing.Processor().DecodeViews(Kite, [ViewSize.Longer(960), ViewSize.Longer(320)]);
        Assert.Equal((upFront[0].Width, upFront[0].Height), (late.Width, late.Height));
        Assert.Equal(upFront[0].Pixels, late.Pixels);
    }

    [Fact]
    public void Ingest_keeps_the_preview_pixels_for_the_views_until_they_are_disposed()
    {
        var photo = Processing.Processor().Process(Kite, [ViewSize.Longer(320)]);
        var views = Assert.IsType<Decoding.PhotoViews>(photo.Views);
        Assert.Equal(960, views[ViewSize.Longer(960)].Width);

        views.Dispose();

        Assert.Throws<ObjectDisposedException>(() => views[ViewSize.Longer(640)]);
        Assert.Null(Processing.Processor().Process(Kite).Views);
    }

    [Fact]
    public void Views_are_never_enlarged_and_grey_photos_give_rgb_views()
    {
        var camera = File.ReadAllBytes(RepositoryPaths.Sample("skimage/camera.png"));
        using var views = Processing.Processor().OpenViews(camera, [ViewSize.Longer(960), ViewSize.Longer(320)]);

        Assert.Equal((512, 512), (views[ViewSize.Longer(960)].Width, views[ViewSize.Longer(960)].Height));
        Assert.Equal(512 * 512 * 3, views[ViewSize.Longer(960)].Pixels.Length);
        Assert.Equal(320 * 320 * 3, views[ViewSize.Longer(320)].Pixels.Length);
    }
}
