using Tsunami.Serving.Runtime;

namespace Tsunami.Server.Hosting;

/// <summary>
/// Before the server takes requests: loads every model of the repository, as Triton does at start, and removes
/// uploads a previous process left half-received.
/// </summary>
internal sealed class StartupService(ModelRuntime runtime, Storage.DataDirectory data) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var uploads = Path.Combine(data.Root, "uploads");
        if (Directory.Exists(uploads))
        {
            Directory.Delete(uploads, recursive: true);
        }
        return runtime.LoadAllAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
