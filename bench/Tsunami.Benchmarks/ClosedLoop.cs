using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Tsunami.Benchmarks;

/// <summary>What a closed loop measured: completed calls a second, latency percentiles (ms) and failed calls.</summary>
internal sealed record LoopFigures(double PerSecond, double P50, double P95, double P99, int Errors);

/// <summary>
/// A closed-loop load generator like Triton's perf_analyzer: each client makes a call, waits for it and makes the
/// next, for the given time; only successful calls count towards the rate and the latencies.
/// </summary>
internal static class ClosedLoop
{
    /// <param name="call">One call by client <c>c</c> (its n-th: <c>n</c>); true when it succeeded.</param>
    public static async Task<LoopFigures> RunAsync(int clients, double seconds, Func<int, int, Task<bool>> call)
    {
        var latencies = new List<double>[clients];
        var errors = 0;
        var stop = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            var own = latencies[client] = [];
            for (var n = 0; stop.Elapsed.TotalSeconds < seconds; n++)
            {
                var started = Stopwatch.GetTimestamp();
                if (await call(client, n))
                {
                    own.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })));
        var elapsed = stop.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToList();
        double Percentile(double p) => all.Count == 0 ? double.NaN : Math.Round(all[Math.Min(all.Count - 1, (int)(p * all.Count))], 1);
        return new LoopFigures(Math.Round(all.Count / elapsed, 1), Percentile(0.50), Percentile(0.95), Percentile(0.99), errors);
    }

    /// <summary>The address a started server listens on (its first, when several).</summary>
    public static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
