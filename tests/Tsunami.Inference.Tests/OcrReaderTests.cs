using Tsunami.Core.Imaging;
using Tsunami.Inference.Text;

namespace Tsunami.Inference.Tests;

public sealed class OcrReaderTests(RealModels models) : IClassFixture<RealModels>
{
    private RgbImage Decode(byte[] jpeg) => models.Decode(jpeg);

    [Theory]
    [InlineData(0, false)]
    [InlineData(8, true)]
    [InlineData(-12, false)]
    [InlineData(180, false)]
    public async Task A_rendered_sign_is_read_exactly(double angle, bool noise)
    {
        var lines = await models.Text.ReadAsync(Decode(TextPhotos.Sign("HIGH VOLTAGE 42", angle, noise: noise)));
        var line = Assert.Single(lines);
        Assert.Equal("HIGH VOLTAGE 42", line.Text);
        Assert.True(line.Confidence > 0.9, $"confidence {line.Confidence}");
    }

    [Fact]
    public async Task Two_lines_come_in_reading_order()
    {
        var lines = await models.Text.ReadAsync(Decode(TextPhotos.Sign("DANGER\nKEEP OUT")));
        Assert.Equal(["DANGER", "KEEP OUT"], lines.Select(l => l.Text));
    }

    [Fact]
    public async Task A_photographed_page_is_read_line_by_line()
    {
        var lines = await models.Text.ReadAsync(models.Load("opencv/imageTextN.png"));
        Assert.InRange(lines.Count, 10, 16);
        Assert.All(lines, l => Assert.Equal(8, l.Quad.Length));
        // The page (a preface of Szeliski's Computer Vision) as it reads, top to bottom.
        Assert.Equal("technical details are too complex to cover in the book itself.", lines[0].Text);
        Assert.StartsWith("In teaching our courses, we have found it useful", lines[1].Text, StringComparison.Ordinal);
        Assert.StartsWith("inspiration from three high-level approaches", lines[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_gate_skips_full_detection_where_it_sees_no_text_and_the_full_view_is_never_made()
    {
        using var views = models.OpenViews(File.ReadAllBytes(RepositoryPaths.Sample("skimage/coffee.png")), Gate);
        var full = views.Deferred(Full);
        var before = models.TextDetections;
        Assert.Empty(await models.Text.ReadAsync(full, views[Gate]));
        Assert.Equal(1, models.TextDetections - before);
        Assert.False(full.IsValueCreated);
        Assert.DoesNotContain(Full, views.Made);
    }

    [Fact]
    public async Task Large_text_is_read_from_the_gate_boxes_without_a_second_detection()
    {
        using var sign = models.OpenViews(TextPhotos.Sign("HIGH VOLTAGE 42"), Gate);
        var full = sign.Deferred(Full);
        var before = models.TextDetections;
        Assert.Equal("HIGH VOLTAGE 42", Assert.Single(await models.Text.ReadAsync(full, sign[Gate])).Text);
        Assert.Equal(1, models.TextDetections - before);
        Assert.True(full.IsValueCreated);
    }

    [Fact]
    public async Task A_gate_as_large_as_the_photo_is_its_only_detection()
    {
        var small = models.Views(TextPhotos.Sign("HIGH VOLTAGE 42"), Core.Imaging.ViewSize.Longer(640))[0];
        var before = models.TextDetections;
        Assert.Equal("HIGH VOLTAGE 42", Assert.Single(await models.Text.ReadAsync(small, small)).Text);
        Assert.Equal(1, models.TextDetections - before);
    }

    private static readonly Core.Imaging.ViewSize Full = Core.Imaging.ViewSize.Longer(960);
    private static readonly Core.Imaging.ViewSize Gate = Core.Imaging.ViewSize.Longer(320);

    [Fact]
    public async Task Small_text_makes_the_gate_run_the_full_detection_and_loses_nothing()
    {
        var page = models.Views("opencv/imageTextN.png", Core.Imaging.ViewSize.Longer(960), Core.Imaging.ViewSize.Longer(320));
        var full = (await models.Text.ReadAsync(page[0])).Select(l => l.Text).ToList();
        var before = models.TextDetections;
        var gated = (await models.Text.ReadAsync(page[0], page[1])).Select(l => l.Text).ToList();
        Assert.Equal(2, models.TextDetections - before);
        Assert.Equal(full, gated);
    }

    [Theory]
    [InlineData("darknet/horses.jpg")]
    [InlineData("skimage/coffee.png")]
    public async Task Photos_without_text_give_no_text(string sample) =>
        Assert.Empty(await models.Text.ReadAsync(models.Load(sample)));
}
