using Tsunami.Serving.Runtime;

namespace Tsunami.Server.Hosting;

/// <summary>Loads every model of the repository before the server takes requests, as Triton does at start.</summary>
internal sealed class ModelLoaderService(ModelRuntime runtime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => runtime.LoadAllAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
