using Microsoft.Extensions.Configuration;
using OpenTelemetry.Metrics;
using Tsunami.Engine.Hosting;
using Tsunami.Inference;
using Tsunami.Server.Hosting;
using Tsunami.Server.Inference;
using Tsunami.Serving;
using Tsunami.Serving.Metrics;
using Tsunami.Storage;

namespace Tsunami.Server;

/// <summary>The one server process: the Open Inference Protocol over HTTP, health and Prometheus metrics.</summary>
public static class TsunamiServer
{
    public static WebApplication Build(ServerSettings settings, string[]? args = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args ?? [], ContentRootPath = AppContext.BaseDirectory });
        var dataDirectory = settings.DataDirectory ?? Environment.GetEnvironmentVariable("TSUNAMI_DATA") ?? "data";
        // Tsunami's own settings first, so that the command line (and a test host's settings) override them.
        builder.Configuration.Sources.Insert(0, new ChainedConfigurationSource { Configuration = TsunamiConfiguration.Build(Path.GetFullPath(dataDirectory)), ShouldDisposeConfiguration = true });
        if (args is not { Length: > 0 } || !args.Any(a => a.StartsWith("--urls", StringComparison.OrdinalIgnoreCase)))
        {
            builder.WebHost.UseUrls(settings.Url);
        }
        AddServices(builder.Services, builder.Configuration);
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
            kestrel.Limits.MaxRequestBodySize = context.Configuration.GetValue(ServingOptions.Section + ":" + nameof(ServingOptions.MaxRequestBytes), new ServingOptions().MaxRequestBytes));

        var app = builder.Build();
        app.UseMiddleware<ProtocolErrorMiddleware>();
        app.MapOpenInference();
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    internal static void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section));
        services.AddInference(configuration);
        services.AddServing(configuration);
        services.AddHostedService<ModelLoaderService>();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower);
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(ServingMetrics.MeterName)
            .AddPrometheusExporter(prometheus =>
            {
                prometheus.DisableTotalNameSuffixForCounters = true;
                prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
            }));
    }
}
