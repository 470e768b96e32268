using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tsunami.Core.Search;
using Tsunami.Core.Storage;
using Tsunami.Storage.Blobs;
using Tsunami.Storage.Sqlite;

namespace Tsunami.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>The embedded store: SQLite for records, files for blobs, both under <see cref="StorageOptions.DataDirectory"/>.</summary>
    public static IServiceCollection AddEmbeddedStorage(this IServiceCollection services)
    {
        services.AddSingleton(provider => new DataDirectory(provider.GetRequiredService<IOptions<StorageOptions>>().Value.DataDirectory));
        services.AddSingleton<SqliteDatabase>();
        services.AddSingleton<IAssetStore, SqliteAssetStore>();
        services.AddSingleton<IBlobStore, FileBlobStore>();
        services.AddSingleton<IEnrichmentStore, SqliteEnrichmentStore>();
        services.AddSingleton<ISearchIndex, SqliteSearchIndex>();
        services.AddSingleton<StoreRecovery>();
        services.AddSingleton(TimeProvider.System);
        return services;
    }
}
