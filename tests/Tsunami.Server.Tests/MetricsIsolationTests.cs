namespace Tsunami.Server.Tests;

/// <summary>
/// Servers sharing one process, as the tests and the benches run them: each exports its own models' metrics, and one
/// stopping silences nothing of another's (OpenTelemetry subscribes to meters by name, process-wide).
/// </summary>
public sealed class MetricsIsolationTests
{
    [Fact]
    public async Task Servers_in_one_process_export_their_own_metrics_and_outlive_each_other()
    {
        using var first = new TestRepository();
        using var second = new TestRepository();
        using var third = new TestRepository();
        second.Add("second-only", TestRepository.Affine(), """{ "name": "second-only", "max_batch_size": 8 }""");
        third.Add("third-only", TestRepository.Affine(), """{ "name": "third-only", "max_batch_size": 8 }""");
        await using var server = await LoopbackServer.StartAsync(first.Settings);

        await using (var other = await LoopbackServer.StartAsync(second.Settings))
        {
            await InferAsync(other, "second-only", "affine-single");
            await InferAsync(server, "affine-single");
            Assert.Equal(1, await Protocol.MetricAsync(server.Client, "tsunami_inference_count", "affine-single"));
        }
        await using var later = await LoopbackServer.StartAsync(third.Settings);
        await InferAsync(later, "third-only", "affine-single");
        await InferAsync(server, "affine-single");

        Assert.Equal(2, await Protocol.MetricAsync(server.Client, "tsunami_inference_count", "affine-single"));
        Assert.Equal(1, await Protocol.MetricAsync(later.Client, "tsunami_inference_count", "affine-single"));
        var metrics = await server.Client.GetStringAsync("/metrics");
        Assert.DoesNotContain("second-only", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("third-only", metrics, StringComparison.Ordinal);
    }

    private static async Task InferAsync(LoopbackServer server, params string[] models)
    {
        foreach (var model in models)
        {
            await Protocol.InferAsync(server.Client, model, [1, 2, 3, 4], [1, 4]);
        }
    }
}
