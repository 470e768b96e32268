using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tsunami.Inference.Onnx;
using Tsunami.Serving.Metrics;
using Tsunami.Serving.Repository;
using Tsunami.Serving.Runtime;

namespace Tsunami.Serving;

public static class ServingServiceCollectionExtensions
{
    /// <summary>The model repository and the serving runtime (needs AddInference for sessions and model files).</summary>
    public static IServiceCollection AddServing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ServingOptions>().Bind(configuration.GetSection(ServingOptions.Section));
        services.AddMetrics();
        services.AddSingleton<ServingMetrics>();
        services.AddSingleton<ModelRepository>();
        services.AddSingleton<ModelRuntime>();
        // The default vision models run in the runtime: one set of sessions and batchers for the pipeline and the server.
        services.RemoveAll<IModelRunners>();
        services.AddSingleton<IModelRunners, ServedModelRunners>();
        services.PostConfigure<ServingOptions>(serving =>
        {
            if (string.IsNullOrWhiteSpace(serving.Repository))
            {
                serving.Repository = Path.Combine(configuration["Storage:DataDirectory"] ?? "data", "models");
            }
        });
        return services;
    }
}
