using NetVips;
using Tsunami.TestKit;

namespace Tsunami.Benchmarks;

/// <summary>
/// Realistic inspection-sized photos: the real samples scaled to about 1.6 MP, each with its own crop so
/// every file has distinct bytes. Made once per size and kept under .cache/bench.
/// </summary>
internal static class BenchPhotos
{
    public static IReadOnlyList<string> Ensure(int count)
    {
        var folder = Path.Combine(RepositoryPaths.Root, ".cache", "bench", $"photos-{count}");
        var done = Path.Combine(folder, ".complete");
        if (File.Exists(done))
        {
            return Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal).ToList();
        }
        Directory.CreateDirectory(folder);
        var sources = Directory.GetFiles(RepositoryPaths.Samples, "*", SearchOption.AllDirectories)
            .Where(p => !p.Contains("/bad/", StringComparison.Ordinal) && !Path.GetFileName(p).StartsWith('.'))
            .Order(StringComparer.Ordinal).ToList();
        for (var i = 0; i < count; i++)
        {
            using var source = Image.NewFromFile(sources[i % sources.Count]);
            using var rgb = source.HasAlpha() ? source.Flatten() : source.Copy();
            var scale = Math.Sqrt(1.7e6 / (rgb.Width * (double)rgb.Height));
            using var scaled = rgb.Resize(scale, Enums.Kernel.Linear);
            var trim = 1 + (i / sources.Count % 40);
            using var cropped = scaled.Crop(trim, trim, scaled.Width - (2 * trim), scaled.Height - (2 * trim));
            cropped.Jpegsave(Path.Combine(folder, $"photo-{i:00000}.jpg"), q: 90);
        }
        File.WriteAllText(done, "");
        return Ensure(count);
    }
}
