using System.Text.Json;
using Microsoft.Extensions.Options;
using Tsunami.Engine.Clip;

namespace Tsunami.Engine.Tests;

/// <summary>config/tsunami.defaults.json documents the Clip section as the code has it.</summary>
public sealed class ClipDefaultsTests
{
    [Fact]
    public void Clip_defaults_match()
    {
        var documented = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "config", "tsunami.defaults.json")),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }).RootElement.GetProperty(ClipOptions.Section);
        using var harness = new IngestHarness();
        var options = harness.Get<IOptions<ClipOptions>>().Value;
        var fresh = new ClipOptions();
        Assert.Equal(typeof(ClipOptions).GetProperties().Select(p => p.Name).Order(), documented.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(("", ""), (documented.GetProperty("Folder").GetString(), fresh.Folder));
        Assert.Equal(harness.Temp.Combine("data", "clip"), options.Folder);
        Assert.Equal(fresh.Model, documented.GetProperty("Model").GetString());
        Assert.Equal(fresh.Mirror, documented.GetProperty("Mirror").GetString());
        Assert.Equal(fresh.Prompt, documented.GetProperty("Prompt").GetString());
        Assert.Equal(options.ZeroShotLabels, documented.GetProperty("ZeroShotLabels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(fresh.ZeroShotThreshold, documented.GetProperty("ZeroShotThreshold").GetDouble());
        Assert.Equal(fresh.LogitScale, documented.GetProperty("LogitScale").GetDouble());
        Assert.Equal(fresh.MatchThreshold, documented.GetProperty("MatchThreshold").GetDouble());
        Assert.Equal(fresh.MaxBatchSize, documented.GetProperty("MaxBatchSize").GetInt32());
        Assert.Equal(fresh.MaxQueueDelayMicroseconds, documented.GetProperty("MaxQueueDelayMicroseconds").GetInt64());
    }
}
