namespace Tsunami.Vectors.CrashWorker;

/// <summary>A vector determined by its key, so a test can check every acknowledged vector came back exactly.</summary>
public static class KeyedVectors
{
    public static float[] Of(long key, int dimensions)
    {
        var random = new Random((int)key);
        return [.. Enumerable.Range(0, dimensions).Select(_ => (float)random.NextDouble())];
    }
}
