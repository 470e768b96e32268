using Microsoft.AspNetCore.Server.Kestrel.Core;
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
        AddServices(builder.Services, builder.Configuration);
        var maxRequestBytes = builder.Configuration.GetValue(ServingOptions.Section + ":" + nameof(ServingOptions.MaxRequestBytes), new ServingOptions().MaxRequestBytes);
        builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = (int)Math.Min(int.MaxValue, maxRequestBytes));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = maxRequestBytes;
            Listen(kestrel, settings.Host, settings.Port, HttpProtocols.Http1);
            if (settings.GrpcPort is { } grpcPort)
            {
                // gRPC needs HTTP/2, which without TLS a port can only speak by prior knowledge: its own port, as Triton's 8001.
                Listen(kestrel, settings.Host, grpcPort, HttpProtocols.Http2);
            }
        });

        var app = builder.Build();
        app.UseMiddleware<ProtocolErrorMiddleware>();
        app.MapOpenInference();
        app.MapGrpcService<GrpcInferenceEndpoint>();
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    private static void Listen(KestrelServerOptions kestrel, string host, int port, HttpProtocols protocols)
    {
        Action<ListenOptions> configure = listen => listen.Protocols = protocols;
        switch (host)
        {
            case "localhost":
                kestrel.ListenLocalhost(port, configure);
                break;
            case "*" or "+":
                kestrel.ListenAnyIP(port, configure);
                break;
            default:
                kestrel.Listen(System.Net.IPAddress.TryParse(host, out var address)
                    ? address
                    : throw new ArgumentException($"--host: '{host}' is not an IP address, localhost or *"), port, configure);
                break;
        }
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
