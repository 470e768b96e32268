using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tsunami.Core.Storage;
using Tsunami.Engine.Enrichment;
using Tsunami.Engine.Hosting;
using Tsunami.Engine.Ingest;
using Tsunami.Storage;

namespace Tsunami.Engine.Tests;

/// <summary>The real engine on a temp data folder, configured as the CLI configures it.</summary>
internal sealed class IngestHarness : IDisposable
{
    private readonly ServiceProvider _services;

    public IngestHarness(params (string Key, string Value)[] settings)
    {
        Temp = new TempDirectory();
        (string, string)[] models =
        [
            ("Models:SharedDirectory", RepositoryPaths.SharedModels),
            ("Models:Manifest", Path.Combine(RepositoryPaths.Root, "config", "models.json")),
            ("Serving:BuiltInModels", Path.Combine(RepositoryPaths.Root, "config", "serving.json")),
            ("Models:AllowDownload", "false"),
        ];
        var configuration = TsunamiConfiguration.Build(Temp.Combine("data"), models.Concat(settings).Select(s => new KeyValuePair<string, string?>(s.Item1, s.Item2)));
        _services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning).AddFakeLogging()).AddTsunami(configuration).BuildServiceProvider();
    }

    /// <summary>The warnings and errors logged so far.</summary>
    public IReadOnlyList<string> Logged => [.. _services.GetFakeLogCollector().GetSnapshot().Select(r => r.Message)];

    public TempDirectory Temp { get; }
    public IAssetStore Assets => _services.GetRequiredService<IAssetStore>();
    public IBlobStore Blobs => _services.GetRequiredService<IBlobStore>();
    public DataDirectory DataDirectory => _services.GetRequiredService<DataDirectory>();
    public IEnrichmentStore Enrichments => _services.GetRequiredService<IEnrichmentStore>();

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public Task<EnrichResult> EnrichAsync(string? collection = null, bool force = false, params string[] stages) =>
        _services.GetRequiredService<EnrichmentService>().EnrichAsync(new EnrichRequest(collection, stages, force), null, CancellationToken.None);

    public Task<IngestResult> IngestAsync(string collection, params string[] sources) =>
        IngestAsync(collection, new Dictionary<string, string>(), sources);

    public Task<IngestResult> IngestAsync(string collection, Dictionary<string, string> tags, params string[] sources) =>
        _services.GetRequiredService<IngestService>().IngestAsync(new IngestRequest(sources, collection, tags), progress: null, CancellationToken.None);

    public Task<IngestResult> IngestAndEnrichAsync(string collection, params string[] sources) =>
        _services.GetRequiredService<IngestService>().IngestAsync(new IngestRequest(sources, collection, new Dictionary<string, string>(), Enrich: true), null, CancellationToken.None);

    /// <summary>Every blob on disk is referenced by a row, and every referenced blob is on disk.</summary>
    public async Task AssertBlobsMatchRowsAsync()
    {
        var referenced = await Assets.ListReferencedBlobsAsync(CancellationToken.None);
        var onDisk = Blobs.EnumerateAll().ToHashSet();
        Assert.True(referenced.SetEquals(onDisk), $"{referenced.Count} referenced blobs, {onDisk.Count} on disk");
        Assert.Empty(Directory.EnumerateFiles(DataDirectory.BlobsPath, "*.tmp-*", SearchOption.AllDirectories));
    }

    public void Dispose()
    {
        _services.Dispose();
        SqliteConnection.ClearAllPools();
        Temp.Dispose();
    }
}
