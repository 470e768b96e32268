using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tsunami.Engine.Ask;
using Tsunami.Engine.Clip;
using Tsunami.Engine.Deletion;
using Tsunami.Engine.Enrichment;
using Tsunami.Engine.Ingest;
using Tsunami.Inference;
using Tsunami.Media;
using Tsunami.Media.Analysis;
using Tsunami.Media.Decoding;
using Tsunami.Serving;
using Tsunami.Serving.Repository;
using Tsunami.Storage;

namespace Tsunami.Engine.Hosting;

public static class TsunamiServiceCollectionExtensions
{
    /// <summary>Everything Tsunami runs on the embedded defaults, configured from <paramref name="configuration"/>.</summary>
    public static IServiceCollection AddTsunami(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateOnStart();
        services.AddOptions<MediaOptions>().Bind(configuration.GetSection(MediaOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<IngestOptions>().Bind(configuration.GetSection(IngestOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<QualityOptions>().Bind(configuration.GetSection(QualityOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddEmbeddedStorage();
        services.AddInference(configuration);
        services.AddSingleton<QualityAnalyzer>();
        services.AddSingleton<EnrichmentService>();
        services.AddSingleton<PhotoProcessor>();
        services.AddSingleton<IngestService>();
        services.AddSingleton<DeletionService>();
        services.AddOptions<VectorIndexOptions>().Bind(configuration.GetSection(VectorIndexOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<VectorCache>();
        services.AddSingleton<AskService>();
        services.AddServing(configuration);
        services.AddClip(configuration);
        return services;
    }

    /// <summary>CLIP-family models: the installation, its towers served by the runtime, and the embedding generators.</summary>
    private static void AddClip(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ClipOptions>().Bind(configuration.GetSection(ClipOptions.Section));
        services.PostConfigure<ClipOptions>(clip =>
        {
            if (string.IsNullOrWhiteSpace(clip.Folder))
            {
                clip.Folder = Path.Combine(configuration["Storage:DataDirectory"] ?? "data", "clip");
            }
            if (clip.ZeroShotLabels.Count == 0)
            {
                clip.ZeroShotLabels = [.. ClipOptions.QualityControlLabels];
            }
        });
        services.AddSingleton<ClipInstallation>();
        services.AddSingleton<ClipServedModels>();
        services.AddSingleton<IModelProvider>(provider => provider.GetRequiredService<ClipServedModels>());
        services.AddSingleton<ClipModels>();
        services.AddSingleton<ClipDownloader>();
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>, ClipTextEmbeddingGenerator>();
        services.AddSingleton<IEmbeddingGenerator<DataContent, Embedding<float>>, ClipImageEmbeddingGenerator>();
    }
}
