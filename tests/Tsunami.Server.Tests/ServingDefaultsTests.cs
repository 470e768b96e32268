using Tsunami.Serving;

namespace Tsunami.Server.Tests;

/// <summary>config/tsunami.defaults.json documents the Serving section as the code has it.</summary>
public sealed class ServingDefaultsTests
{
    [Fact]
    public void Serving_defaults_match()
    {
        var documented = DocumentedDefaults.Section(ServingOptions.Section);
        var options = new ServingOptions();
        Assert.Equal(["BuiltInModels", "DefaultMaxQueueSize", "MaxRequestBytes", "Repository"], documented.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(options.Repository, documented.GetProperty("Repository").GetString());
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "config", "serving.json"), options.BuiltInModels);
        Assert.Equal("<cli folder>/config/serving.json", documented.GetProperty("BuiltInModels").GetString());
        Assert.Equal(options.DefaultMaxQueueSize, documented.GetProperty("DefaultMaxQueueSize").GetInt32());
        Assert.Equal(options.MaxRequestBytes, documented.GetProperty("MaxRequestBytes").GetInt64());
    }

    [Fact]
    public void Server_defaults_match()
    {
        var documented = DocumentedDefaults.Section(ServerOptions.Section);
        var options = new ServerOptions();
        Assert.Equal(["ApiKeys", "IngestRoots", "MaxUploadBytes"], documented.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(0, documented.GetProperty("IngestRoots").GetArrayLength());
        Assert.Empty(options.IngestRoots);
        Assert.Equal(0, documented.GetProperty("ApiKeys").GetArrayLength());
        Assert.Empty(options.ApiKeys);
        Assert.Equal(options.MaxUploadBytes, documented.GetProperty("MaxUploadBytes").GetInt64());
    }
}
