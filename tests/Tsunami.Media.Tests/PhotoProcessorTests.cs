using NetVips;

namespace Tsunami.Media.Tests;

public sealed class PhotoProcessorTests
{
    [Theory]
    [InlineData("darknet/dog.jpg", "jpeg", 768, 576)]
    [InlineData("darknet/kite.jpg", "jpeg", 1352, 900)]
    [InlineData("skimage/astronaut.png", "png", 512, 512)]
    [InlineData("skimage/camera.png", "png", 512, 512)]
    [InlineData("opencv/imageTextN.png", "png", 556, 257)]
    public void Real_photos_decode_with_their_size_preview_and_thumbnail(string sample, string format, int width, int height)
    {
        var photo = Processing.Processor().Process(File.ReadAllBytes(RepositoryPaths.Sample(sample)));

        Assert.Equal(format, photo.Format);
        Assert.Equal((width, height), (photo.Width, photo.Height));
        Assert.Equal(256, Math.Max(photo.Thumbnail.Width, photo.Thumbnail.Height));
        Assert.Equal("image/webp", photo.Thumbnail.MediaType);
        Assert.Equal("image/jpeg", photo.Preview.MediaType);
        Assert.Equal(Math.Min(1280, Math.Max(width, height)), Math.Max(photo.Preview.Width, photo.Preview.Height));
        using var thumbnail = Image.NewFromBuffer(photo.Thumbnail.Content);
        Assert.Equal((photo.Thumbnail.Width, photo.Thumbnail.Height), (thumbnail.Width, thumbnail.Height));
        using var preview = Image.NewFromBuffer(photo.Preview.Content);
        Assert.Equal("jpegload_buffer", (string)preview.Get("vips-loader"));
    }

    [Fact]
    public void The_real_sample_exif_is_read()
    {
        var photo = Processing.Processor().Process(File.ReadAllBytes(RepositoryPaths.Sample("darknet/dog.jpg")));

        Assert.Equal(new DateTimeOffset(2014, 9, 19, 16, 8, 30, TimeSpan.Zero), photo.Capture.TakenAt);
        Assert.Equal("Canon", photo.Capture.CameraMake);
        Assert.Equal("Canon PowerShot S95", photo.Capture.CameraModel);
        Assert.Contains(photo.Capture.Tags, t => t.Key.StartsWith("Exif SubIFD/", StringComparison.Ordinal));
    }

    [Fact]
    public void Exif_written_by_the_test_is_read_back_with_time_zone_and_gps()
    {
        var jpeg = ExifWriter.AddExif(TestPhotos.Jpeg(320, 240, seed: 1), new ExifFields
        {
            Make = "Ricoh",
            Model = "WG-80",
            TakenAt = new DateTime(2025, 3, 14, 9, 26, 53),
            Offset = TimeSpan.FromHours(2),
            Latitude = 40.4168,
            Longitude = -3.7038,
        });

        var capture = Processing.Processor().Process(jpeg).Capture;

        Assert.Equal(new DateTimeOffset(2025, 3, 14, 9, 26, 53, TimeSpan.FromHours(2)), capture.TakenAt);
        Assert.Equal("Ricoh", capture.CameraMake);
        Assert.Equal("WG-80", capture.CameraModel);
        Assert.NotNull(capture.Location);
        Assert.Equal(40.4168, capture.Location.Value.Latitude, 4);
        Assert.Equal(-3.7038, capture.Location.Value.Longitude, 4);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(8)]
    public void Exif_orientation_is_applied_to_size_preview_and_thumbnail(int orientation)
    {
        var jpeg = ExifWriter.AddExif(TestPhotos.Jpeg(400, 200, seed: 2), new ExifFields { Orientation = orientation });

        var photo = Processing.Processor().Process(jpeg);

        Assert.Equal(orientation, photo.Capture.Orientation);
        Assert.Equal((200, 400), (photo.Width, photo.Height));
        Assert.Equal((200, 400), (photo.Preview.Width, photo.Preview.Height));
        Assert.Equal((128, 256), (photo.Thumbnail.Width, photo.Thumbnail.Height));
    }

    [Theory]
    [InlineData("png")]
    [InlineData("webp")]
    [InlineData("tiff")]
    [InlineData("gif")]
    public void Every_supported_format_decodes(string format)
    {
        using var image = TestPhotos.Synthetic(300, 200, seed: 3);
        var photo = Processing.Processor().Process(TestPhotos.Encode(image, format));

        Assert.Equal(format, photo.Format);
        Assert.Equal((300, 200), (photo.Width, photo.Height));
    }

    [Fact]
    public void An_animated_gif_gives_its_first_frame()
    {
        using var first = TestPhotos.Synthetic(120, 80, seed: 4);
        using var second = TestPhotos.Synthetic(120, 80, seed: 5);
        using var strip = first.Join(second, NetVips.Enums.Direction.Vertical);
        using var animated = strip.Mutate(image => image.Set(GValue.GIntType, "page-height", 80));
        var gif = animated.GifsaveBuffer();

        var photo = Processing.Processor().Process(gif);

        Assert.Equal((120, 80), (photo.Width, photo.Height));
    }

    [Fact]
    public void Transparent_png_gets_an_opaque_jpeg_preview()
    {
        using var rgb = TestPhotos.Synthetic(100, 100, seed: 6);
        using var alpha = rgb.Bandjoin(128);
        var photo = Processing.Processor().Process(alpha.PngsaveBuffer());

        using var preview = Image.NewFromBuffer(photo.Preview.Content);
        Assert.Equal(3, preview.Bands);
    }

    [Fact]
    public void Format_comes_from_content_not_extension()
    {
        // A PNG's bytes are a PNG whatever the file is called; the processor never sees the name.
        var photo = Processing.Processor().Process(TestPhotos.Png(64, 48, seed: 7));
        Assert.Equal("png", photo.Format);
    }
}
