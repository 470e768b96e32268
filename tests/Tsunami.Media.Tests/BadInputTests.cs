using System.Text;
using Tsunami.Media.Decoding;

namespace Tsunami.Media.Tests;

public sealed class BadInputTests
{
    [Fact]
    public void Truncated_and_damaged_files_are_told_apart_by_their_bytes_whatever_libvips_said()
    {
        // libvips' error buffer is shared by threads: under parallel ingest a message can be missing or another
        // photo's (CI saw a damaged PNG reported with "premature end of JPEG").
        var generic = new NetVips.VipsException("unable to copy to memory\n");
        var otherPhotos = new NetVips.VipsException("unable to copy to memory\nVipsJpeg: Premature end of JPEG file\n");
        var jpeg = File.ReadAllBytes(RepositoryPaths.Sample("darknet/dog.jpg"));
        var png = File.ReadAllBytes(RepositoryPaths.Sample("skimage/coffee.png"));
        Assert.StartsWith("truncated jpeg file", PhotoProcessor.DescribeDecodeFailure("jpeg", File.ReadAllBytes(RepositoryPaths.Sample("bad/truncated.jpg")), generic), StringComparison.Ordinal);
        Assert.StartsWith("truncated jpeg file", PhotoProcessor.DescribeDecodeFailure("jpeg", jpeg[..(jpeg.Length / 2)], generic), StringComparison.Ordinal);
        Assert.Equal("corrupt jpeg file: the image data is damaged", PhotoProcessor.DescribeDecodeFailure("jpeg", jpeg, generic));
        Assert.Equal("truncated jpeg file: Premature end of JPEG file", PhotoProcessor.DescribeDecodeFailure("jpeg", jpeg[..(jpeg.Length / 2)], otherPhotos));

        Assert.Equal("corrupt png file: the image data is damaged", PhotoProcessor.DescribeDecodeFailure("png", ForgedFiles.CorruptBody(png), otherPhotos));
        Assert.Equal("truncated png file: the data ends before the image does", PhotoProcessor.DescribeDecodeFailure("png", png[..(png.Length * 2 / 3)], otherPhotos));
        Assert.StartsWith("corrupt png file", PhotoProcessor.DescribeDecodeFailure("png", png, generic), StringComparison.Ordinal);
    }

    [Fact]
    public void The_real_truncated_jpeg_is_refused_as_truncated()
    {
        var error = Assert.Throws<MediaException>(() => Processing.Processor().Process(File.ReadAllBytes(RepositoryPaths.Sample("bad/truncated.jpg"))));
        Assert.StartsWith("truncated jpeg file", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void A_jpeg_cut_short_is_refused(double fraction)
    {
        var jpeg = File.ReadAllBytes(RepositoryPaths.Sample("darknet/horses.jpg"));
        var error = Assert.Throws<MediaException>(() => Processing.Processor().Process(ForgedFiles.Truncated(jpeg, fraction)));
        Assert.Contains("jpeg", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_png_cut_short_is_refused()
    {
        var png = File.ReadAllBytes(RepositoryPaths.Sample("skimage/astronaut.png"));
        var error = Assert.Throws<MediaException>(() => Processing.Processor().Process(ForgedFiles.Truncated(png, 0.5)));
        Assert.Contains("png", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_body_is_refused()
    {
        var png = File.ReadAllBytes(RepositoryPaths.Sample("skimage/coffee.png"));
        var error = Assert.Throws<MediaException>(() => Processing.Processor().Process(ForgedFiles.CorruptBody(png)));
        Assert.Matches("^(corrupt|truncated) png file", error.Message);
    }

    [Fact]
    public void Text_is_not_an_image()
    {
        var error = Assert.Throws<MediaException>(() => Processing.Processor().Process(Encoding.UTF8.GetBytes("hello, I am not a photo\n")));
        Assert.Equal("the content is text, not an image", error.Message);
    }

    [Fact]
    public void Unknown_binary_names_its_first_bytes()
    {
        var error = Assert.Throws<MediaException>(() => Processing.Processor().Process([0x00, 0x01, 0x02, 0x03, 0xFE, 0xFF, 0x10, 0x20, 0x30]));
        Assert.Equal("the content is not a supported image format (starts with 00010203FEFF1020)", error.Message);
    }

    [Fact]
    public void Svg_and_pdf_are_not_accepted_even_though_libvips_could_load_them()
    {
        Assert.Throws<MediaException>(() => Processing.Processor().Process(Encoding.UTF8.GetBytes("<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>")));
        var pdf = Assert.Throws<MediaException>(() => Processing.Processor().Process(Encoding.ASCII.GetBytes("%PDF-1.4\n%\u00e2\u00e3")));
        Assert.Contains("PDF", pdf.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_decompression_bomb_is_refused_from_its_header()
    {
        var bomb = ForgedFiles.PngClaiming(30_000, 30_000);

        var error = Assert.Throws<MediaException>(() => Processing.Processor().Process(bomb));

        Assert.Equal("too large: 30000×30000 is 900 MP, above the limit of 200 MP (Media:MaxPixels)", error.Message);
    }

    [Fact]
    public void The_pixel_limit_is_configurable()
    {
        var processor = Processing.Processor(new MediaOptions { MaxPixels = 100_000 });
        var error = Assert.Throws<MediaException>(() => processor.Process(TestPhotos.Jpeg(400, 300, seed: 1)));
        Assert.StartsWith("too large: 400×300", error.Message, StringComparison.Ordinal);
        processor.Process(TestPhotos.Jpeg(300, 300, seed: 1));
    }

    [Fact]
    public void A_heic_this_build_cannot_decode_says_so()
    {
        // An ISO-BMFF 'ftyp heic' box with nothing behind it: what an iPhone photo starts with.
        byte[] heic = [0, 0, 0, 24, .. "ftypheic"u8, 0, 0, 0, 0, .. "mif1heic"u8, 0, 0, 0, 8, .. "mdat"u8];
        var error = Assert.Throws<MediaException>(() => Processing.Processor().Process(heic));
        Assert.Contains("heif", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Garbage_with_exif_like_bytes_does_not_break_metadata_reading()
    {
        var jpeg = TestPhotos.Jpeg(64, 64, seed: 9);
        byte[] brokenExif = [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10, .. "Exif\0\0"u8, .. "II*\0"u8, 0xFF, 0xFF, 0xFF, 0x7F, .. jpeg.AsSpan(2)];
        var photo = Processing.Processor().Process(brokenExif);
        Assert.Null(photo.Capture.TakenAt);
    }
}
