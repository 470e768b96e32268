using Microsoft.Extensions.Diagnostics.HealthChecks;
using Tsunami.Core.Storage;
using Tsunami.Serving.Runtime;

namespace Tsunami.Server.Hosting;

/// <summary>Ready: the models present at start have been loaded and the store answers.</summary>
internal sealed class ReadinessCheck(ModelRuntime runtime, IAssetStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!runtime.Ready)
        {
            return HealthCheckResult.Unhealthy("loading models");
        }
        try
        {
            await store.ListCollectionsAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is IOException or Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy($"the store does not answer: {e.Message}");
        }
    }
}
