using NetVips;
using Tsunami.Media.Hashing;

namespace Tsunami.Media.Tests;

public sealed class PerceptualHashTests
{
    [Fact]
    public void A_resized_recompressed_copy_stays_near_and_other_photos_stay_far()
    {
        var dogBytes = File.ReadAllBytes(RepositoryPaths.Sample("darknet/dog.jpg"));
        using var dog = Image.NewFromBuffer(dogBytes);
        using var smaller = dog.Resize(0.6);
        var copy = smaller.JpegsaveBuffer(q: 45);
        var processor = Processing.Processor();

        var original = processor.Process(dogBytes).PerceptualHash;
        var near = processor.Process(copy).PerceptualHash;
        var horses = processor.Process(File.ReadAllBytes(RepositoryPaths.Sample("darknet/horses.jpg"))).PerceptualHash;
        var eagle = processor.Process(File.ReadAllBytes(RepositoryPaths.Sample("darknet/eagle.jpg"))).PerceptualHash;

        Assert.InRange(PerceptualHash.Distance(original, near), 0, 6);
        Assert.InRange(PerceptualHash.Distance(original, horses), 16, 64);
        Assert.InRange(PerceptualHash.Distance(original, eagle), 16, 64);
    }

    [Fact]
    public void Half_the_bits_are_set_by_construction()
    {
        var grey = new byte[PerceptualHash.Side * PerceptualHash.Side];
        new Random(3).NextBytes(grey);
        var hash = PerceptualHash.Compute(grey);
        Assert.InRange((int)ulong.PopCount(hash), 28, 36);
    }

    [Fact]
    public void Wrong_input_size_is_an_argument_error()
    {
        Assert.Throws<ArgumentException>(() => PerceptualHash.Compute(new byte[100]));
    }

    [Fact]
    public void Distance_counts_differing_bits()
    {
        Assert.Equal(0, PerceptualHash.Distance(0xF0F0, 0xF0F0));
        Assert.Equal(64, PerceptualHash.Distance(0, ulong.MaxValue));
        Assert.Equal(3, PerceptualHash.Distance(0b1011, 0b0000_0001_0010 ^ 0b0011));
    }
}
