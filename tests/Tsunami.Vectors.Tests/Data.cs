namespace Tsunami.Vectors.Tests;

/// <summary>Seeded test vectors: Gaussian noise, or clusters around random centres.</summary>
internal static class Data
{
    public static float[][] Gaussian(int count, int dimensions, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, dimensions).Select(_ => Normal(random)).ToArray())];
    }

    /// <summary>Points around <paramref name="clusters"/> centres drawn from <paramref name="centreSeed"/>; the noise from <paramref name="seed"/>.</summary>
    public static float[][] Clustered(int count, int dimensions, int clusters, int seed, int centreSeed = 1000)
    {
        var random = new Random(seed);
        var centres = Gaussian(clusters, dimensions, centreSeed);
        return [.. Enumerable.Range(0, count).Select(i => centres[random.Next(clusters)].Select(c => (c * 3) + (Normal(random) * 0.5f)).ToArray())];
    }

    private static float Normal(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
