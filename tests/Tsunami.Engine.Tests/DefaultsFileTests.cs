using System.Text.Json;
using Tsunami.Engine.Ingest;
using Tsunami.Media;
using Tsunami.Storage;

namespace Tsunami.Engine.Tests;

/// <summary>config/tsunami.defaults.json documents every setting: it must say what the code does.</summary>
public sealed class DefaultsFileTests
{
    private static readonly JsonElement Defaults = JsonDocument.Parse(
        File.ReadAllText(Path.Combine(RepositoryPaths.Root, "config", "tsunami.defaults.json")),
        new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }).RootElement;

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

    private static void AssertMatches<T>(string section, T options)
    {
        var documented = Defaults.GetProperty(section);
        var properties = typeof(T).GetProperties().Where(p => p.CanWrite).ToList();
        Assert.Equal(properties.Select(p => p.Name).Order(), documented.EnumerateObject().Select(p => p.Name).Order());
        foreach (var property in properties)
        {
            var expected = JsonSerializer.Serialize(property.GetValue(options));
            Assert.Equal(expected, documented.GetProperty(property.Name).GetRawText().Replace(" ", "", StringComparison.Ordinal));
        }
    }
}
