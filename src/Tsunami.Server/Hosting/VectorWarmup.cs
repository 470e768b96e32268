using Tsunami.Core.Search;
using Tsunami.Engine.Ask;

namespace Tsunami.Server.Hosting;

/// <summary>
/// Once the server is up, opens (or builds, the first time a space passes the threshold) the questions' vector
/// indexes in the background, so the first question finds them ready; a question asked meanwhile waits for the
/// space it needs. A failure is logged: questions then read the space themselves.
/// </summary>
internal sealed partial class VectorWarmup(VectorCache vectors, ISearchIndex index, ILogger<VectorWarmup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // the host goes on starting
        try
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var spaces = await vectors.WarmAsync(index, stoppingToken);
            Warmed(logger, string.Join(", ", spaces), watch.Elapsed.TotalSeconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // Whatever went wrong (the store busy or damaged, the disk full), the server keeps serving.
            Failed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Vector spaces ready for questions ({Spaces}) in {Seconds:0.0} s")]
    private static partial void Warmed(ILogger logger, string spaces, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Vector spaces not read at start; the first question reads them")]
    private static partial void Failed(ILogger logger, Exception exception);
}
