using System.Text.Json;
using Microsoft.Extensions.Options;
using Tsunami.Engine.Clip;
using Tsunami.Engine.Ingest;
using Tsunami.Media;
using Tsunami.Storage;

namespace Tsunami.Engine.Tests;

/// <summary>config/tsunami.defaults.json documents every setting: it must say what the code does.</summary>
public sealed class DefaultsFileTests
{
    [Fact]
    public void Media_defaults_match() => AssertMatches(MediaOptions.Section, new MediaOptions());

    [Fact]
    public void Ingest_defaults_match() => AssertMatches(IngestOptions.Section, new IngestOptions());

    [Fact]
    public void Quality_defaults_match() => AssertMatches(Media.Analysis.QualityOptions.Section, new Media.Analysis.QualityOptions());

    [Fact]
    public void Inference_defaults_match() => AssertMatches(Inference.InferenceOptions.Section, new Inference.InferenceOptions());

    [Fact]
    public void Storage_defaults_match() => AssertMatches(StorageOptions.Section, new StorageOptions());

    [Fact]
    public void Vectors_defaults_match() => AssertMatches(Ask.VectorIndexOptions.Section, new Ask.VectorIndexOptions());

    [Fact]
    public void Clip_defaults_match()
    {
        // Nothing configured, AddTsunami scores the quality-control labels and installs under the data folder.
        using var harness = new IngestHarness();
        var configured = harness.Get<IOptions<ClipOptions>>().Value;
        Assert.Equal(ClipOptions.QualityControlLabels, configured.ZeroShotLabels);
        Assert.Equal(harness.Temp.Combine("data", "clip"), configured.Folder);
        AssertMatches(ClipOptions.Section, new ClipOptions { ZeroShotLabels = [.. ClipOptions.QualityControlLabels] });
    }

    private static void AssertMatches<T>(string section, T options)
    {
        var documented = DocumentedDefaults.Section(section);
        var properties = typeof(T).GetProperties().Where(p => p.CanWrite).ToList();
        Assert.Equal(properties.Select(p => p.Name).Order(), documented.EnumerateObject().Select(p => p.Name).Order());
        foreach (var property in properties)
        {
            var expected = JsonSerializer.Serialize(property.GetValue(options));
            Assert.Equal(expected, JsonSerializer.Serialize(documented.GetProperty(property.Name)));
        }
    }
}
