using System.Text;
using Tsunami.Media.Decoding;

namespace Tsunami.Media.Tests;

public sealed class ImageFormatSnifferTests
{
    [Theory]
    [InlineData("darknet/dog.jpg", "jpeg")]
    [InlineData("skimage/chelsea.png", "png")]
    public void Real_files_are_recognised(string sample, string format) =>
        Assert.Equal(format, ImageFormatSniffer.Sniff(File.ReadAllBytes(RepositoryPaths.Sample(sample))));

    [Theory]
    [InlineData("GIF89a......", "gif")]
    [InlineData("RIFF\0\0\0\0WEBPVP8 ", "webp")]
    [InlineData("II*\0........", "tiff")]
    [InlineData("MM\0*........", "tiff")]
    [InlineData("\0\0\0\u0018ftypheic", "heif")]
    [InlineData("\0\0\0\u0018ftypavif", "heif")]
    [InlineData("\0\0\0\u0018ftypisom", null)]
    [InlineData("<svg></svg>", null)]
    [InlineData("", null)]
    public void Magic_bytes_decide(string head, string? format) =>
        Assert.Equal(format, ImageFormatSniffer.Sniff(Encoding.Latin1.GetBytes(head)));

    [Fact]
    public void Empty_content_is_described_as_empty() =>
        Assert.Equal("the file is empty", ImageFormatSniffer.DescribeNonImage([]));

    [Fact]
    public void Zip_is_named() =>
        Assert.Equal("the content is a ZIP archive, not an image", ImageFormatSniffer.DescribeNonImage("PK\u0003\u0004rest"u8));
}
