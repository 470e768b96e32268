using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tsunami.Inference.Onnx;
using Tsunami.Inference.Repository;
using Tsunami.Inference.Vision;

namespace Tsunami.Inference;

public static class InferenceServiceCollectionExtensions
{
    /// <summary>The model repository, ONNX Runtime sessions and the default vision models.</summary>
    public static IServiceCollection AddInference(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<InferenceOptions>().Bind(configuration.GetSection(InferenceOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ModelOptions>().Bind(configuration.GetSection(ModelOptions.Section));
        services.AddSingleton(new HttpClient { Timeout = TimeSpan.FromMinutes(10) });
        services.AddSingleton<ModelResolver>();
        services.AddSingleton<OnnxSessionFactory>();
        // The serving runtime, when the host adds it, takes the models' place (AddServing).
        services.TryAddSingleton<IModelRunners, OwnSessions>();
        services.AddSingleton<VisionModels>();
        return services;
    }
}
