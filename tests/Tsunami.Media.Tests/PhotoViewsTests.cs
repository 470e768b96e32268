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
        Assert.Equal((338, 225), views.Decoded);
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
    public void A_jpeg_at_least_twice_as_large_as_its_views_is_shrunk_while_it_is_decoded()
    {
        var processor = Processing.Processor();
        using var quarter = processor.OpenViews(Kite, [ViewSize.Longer(320)]);
        using var half = processor.OpenViews(Kite, [ViewSize.Longer(416), ViewSize.Shorter(224)]);
        using var full = processor.OpenViews(Kite, [ViewSize.Longer(960), ViewSize.Longer(320)]);
        using var bicubic = processor.OpenViews(Kite, [ViewSize.ShorterBicubic(224)]);
        using var png = processor.OpenViews(File.ReadAllBytes(RepositoryPaths.Sample("skimage/camera.png")), [ViewSize.Longer(128)]);

        Assert.Equal((338, 225), quarter.Decoded);
        Assert.Equal((676, 450), half.Decoded);
        Assert.Equal((1352, 900), full.Decoded);
        Assert.Equal((1352, 900), bicubic.Decoded);
        Assert.Equal((512, 512), png.Decoded);
        Assert.Equal((320, 213), (quarter[ViewSize.Longer(320)].Width, quarter[ViewSize.Longer(320)].Height));
    }

    [Fact]
    public void Views_of_a_photo_shrunk_while_decoded_show_what_the_full_decode_shows()
    {
        using var shrunk = Processing.Processor().OpenViews(Kite, [ViewSize.Longer(416)]);
        var fromFull = Processing.Processor().DecodeViews(Kite, [ViewSize.Longer(960), ViewSize.Longer(416)])[1];

        var view = shrunk[ViewSize.Longer(416)];
        Assert.Equal((fromFull.Width, fromFull.Height), (view.Width, view.Height));
        var meanDifference = view.Pixels.Zip(fromFull.Pixels, (a, b) => Math.Abs(a - b)).Average();
        Assert.InRange(meanDifference, 0, 1.5);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(8)]
    public void A_photo_shrunk_while_decoded_is_turned_upright(int orientation)
    {
        var jpeg = ExifWriter.AddExif(TestPhotos.Jpeg(400, 200, seed: 2), new ExifFields { Orientation = orientation });

        using var views = Processing.Processor().OpenViews(jpeg, [ViewSize.Longer(100)]);

        Assert.Equal((50, 100), views.Decoded);
        Assert.Equal((50, 100), (views[ViewSize.Longer(100)].Width, views[ViewSize.Longer(100)].Height));
        Assert.Equal((200, 400), (views[ViewSize.Longer(400)].Width, views[ViewSize.Longer(400)].Height));
    }

    [Fact]
    public void A_truncated_jpeg_shrunk_while_it_is_decoded_is_refused_as_truncated()
    {
        var truncated = Kite[..(Kite.Length * 9 / 10)];

        var error = Assert.Throws<MediaException>(() => Processing.Processor().OpenViews(truncated, [ViewSize.Longer(320)]));

        Assert.Contains("truncated jpeg", error.Message, StringComparison.Ordinal);
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
