using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Tsunami.Engine.Ingest;

namespace Tsunami.Server.Tests;

/// <summary>The server in process over a store holding the darknet sample photos, ingested and enriched by real models.</summary>
public class ApiServer : WebApplicationFactory<Program>, IAsyncLifetime
{
    public TestRepository Repository { get; } = new();

    protected virtual IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in Repository.SettingsWithDefaultModels.Concat(ExtraSettings))
        {
            builder.UseSetting(key, value);
        }
        if (Directory.Exists(RepositoryPaths.SharedModels))
        {
            builder.UseSetting("Models:SharedDirectory", RepositoryPaths.SharedModels);
        }
    }

    public async Task InitializeAsync()
    {
        var ingest = Services.GetRequiredService<IngestService>();
        var result = await ingest.IngestAsync(
            new IngestRequest([Path.Combine(RepositoryPaths.Samples, "darknet")], "samples", new Dictionary<string, string> { ["site"] = "12" }, Enrich: true),
            null, CancellationToken.None);
        Assert.Equal(0, result.Failed);
    }

    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Repository.Dispose();
        }
    }
}
