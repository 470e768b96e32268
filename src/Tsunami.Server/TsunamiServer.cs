using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Scalar.AspNetCore;
using Tsunami.Server.Api;
using Tsunami.Server.Security;
using Tsunami.Engine.Hosting;
using Tsunami.Server.Hosting;
using Tsunami.Server.Inference;
using Tsunami.Serving;
using Tsunami.Serving.Metrics;

namespace Tsunami.Server;

/// <summary>
/// The one server process: the REST API over the store (/api, API keys, OpenAPI with a Scalar reference page), the Open
/// Inference Protocol over REST and gRPC, health and Prometheus metrics.
/// </summary>
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
        SecurityServiceCollectionExtensions.RequireKeysOffLoopback(settings.Host, app.Services.GetRequiredService<IOptions<ServerOptions>>().Value);
        app.UseMiddleware<ProtocolErrorMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready").AllowAnonymous();
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference().AllowAnonymous();
        app.MapUi();
        app.MapGroup("/api").RequireAuthorization(SecurityServiceCollectionExtensions.ReadPolicy).MapAssets().MapAsk().MapFacets().MapUploads().MapDeletion().MapJobs().MapSession();
        app.MapOpenInference();
        app.MapGrpcService<GrpcInferenceEndpoint>().RequireAuthorization(SecurityServiceCollectionExtensions.ReadPolicy);
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(SecurityServiceCollectionExtensions.ReadPolicy);
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
        services.AddTsunami(configuration);
        services.AddApiKeys(configuration);
        services.AddHealthChecks().AddCheck<ReadinessCheck>("ready");
        services.AddOpenApi();
        services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(form =>
            form.MultipartBodyLengthLimit = configuration.GetValue(ServerOptions.Section + ":" + nameof(ServerOptions.MaxUploadBytes), new ServerOptions().MaxUploadBytes));
        services.AddHostedService<StartupService>();
        services.AddHostedService<VectorWarmup>();
        services.AddSingleton<IngestJobs>();
        // A body or parameter that does not bind is answered with the reason, not an empty 400.
        services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        // The CLI's --json conventions: camelCase, nulls left out, enums by name.
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
            json.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase));
        });
        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            // The runtime names its meter when it is made (one name per host, see ServingMetrics.MeterName), so the
            // provider subscribes once the services exist.
            ((IDeferredMeterProviderBuilder)metrics).Configure((provider, builder) => builder.AddMeter(provider.GetRequiredService<ServingMetrics>().MeterName));
            metrics.AddPrometheusExporter(prometheus =>
            {
                prometheus.DisableTotalNameSuffixForCounters = true;
                prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
            });
        });
    }
}
