using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tsunami.Serving;
using Tsunami.Serving.Runtime;
using Tsunami.Serving.Tensors;

namespace Tsunami.Server.Tests;

/// <summary>The dynamic batcher and the queue limits, through a real Kestrel server on loopback.</summary>
public sealed class BatchingTests : IAsyncLifetime
{
    private readonly TestRepository _repository = new();
    private LoopbackServer _server = null!;

    private HttpClient Client => _server.Client;

    public async Task InitializeAsync()
    {
        var settings = _repository.Settings;
        settings["Serving:MaxRequestBytes"] = "100000";
        _server = await LoopbackServer.StartAsync(settings);
    }

    [Fact]
    public async Task Concurrent_requests_are_merged_into_batches_and_each_gets_its_own_rows()
    {
        var inferencesBefore = await Protocol.MetricAsync(Client, "tsunami_inference_count", "affine");
        var executionsBefore = await Protocol.MetricAsync(Client, "tsunami_inference_exec_count", "affine");
        var inputs = Enumerable.Range(0, 8).Select(i => new float[] { i, i + 1, -i, 0.5f * i }).ToList();

        var outputs = await Task.WhenAll(inputs.Select(x => Protocol.InferAsync(Client, "affine", x, [1, 4])));

        for (var i = 0; i < inputs.Count; i++)
        {
            Assert.Equal(TestRepository.AffineOf(inputs[i]), outputs[i]);
        }
        var inferences = await Protocol.MetricAsync(Client, "tsunami_inference_count", "affine") - inferencesBefore;
        var executions = await Protocol.MetricAsync(Client, "tsunami_inference_exec_count", "affine") - executionsBefore;
        Assert.Equal(8, inferences);
        // Eight requests within the 100 ms queue delay: merged into a few executions, not eight.
        Assert.InRange(executions, 1, 4);
        Assert.True(await Protocol.MetricAsync(Client, "tsunami_inference_batch_size_sum", "affine") >= 8);
    }

    [Fact]
    public async Task Batched_and_unbatched_results_are_identical()
    {
        var random = new Random(12);
        var inputs = Enumerable.Range(0, 6).Select(_ => Enumerable.Range(0, 8).Select(_ => (float)random.NextDouble() * 10 - 5).ToArray()).ToList();

        var batched = await Task.WhenAll(inputs.Select(x => Protocol.InferAsync(Client, "affine", x, [2, 4])));
        var alone = new List<float[]>();
        foreach (var x in inputs)
        {
            alone.Add(await Protocol.InferAsync(Client, "affine-single", x, [2, 4]));
        }

        for (var i = 0; i < inputs.Count; i++)
        {
            Assert.Equal(alone[i], batched[i]);
        }
    }

    [Fact]
    public async Task A_full_queue_answers_503_with_retry_after_and_the_rest_are_served()
    {
        var request = Protocol.FloatRequest("x", [1, 1024], Enumerable.Repeat(0.5f, 1024).ToArray());
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Client.PostAsync("/v2/models/slow/infer", Protocol.Json(request))));

        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(refused);
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        foreach (var response in refused)
        {
            Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
            Assert.Contains("model 'slow' is overloaded: its queue holds 1 requests; retry later", (await Protocol.JsonOf(response)).GetProperty("error").GetString(), StringComparison.Ordinal);
        }
        Assert.True(await Protocol.MetricAsync(Client, "tsunami_inference_request_failure", "slow") >= refused.Count);
        responses.ToList().ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task In_process_callers_wait_for_room_in_a_full_queue_instead_of_being_refused()
    {
        var model = _server.Services.GetRequiredService<ModelRuntime>().Get("slow");
        InferRequest Request(bool inProcess) => new(null, [new InferTensor("x", "FP32", [1, 1024], new byte[4096])], InProcess: inProcess);
        // One instance and a queue of one, both taken by remote requests (the later ones are refused).
        var remote = Enumerable.Range(0, 3).Select(_ => model.InferAsync(Request(false), CancellationToken.None)).ToList();

        var response = await model.InferAsync(Request(true), CancellationToken.None);

        Assert.Equal(new long[] { 1, 1024 }, response.Outputs[0].Shape);
        var refused = await Assert.ThrowsAsync<InferenceException>(() => Task.WhenAll(remote));
        Assert.Equal(InferenceError.Overloaded, refused.Error);
    }

    [Fact]
    public async Task Unloading_lets_running_requests_finish_and_fails_the_rest_with_the_model_state()
    {
        var runtime = _server.Services.GetRequiredService<ModelRuntime>();
        var model = runtime.Get("slow");
        var request = new InferRequest(null, [new InferTensor("x", "FP32", [1, 1024], new byte[4096])], InProcess: true);
        // The first request runs on its caller's thread (an idle instance, nothing queued), the next waits in the queue.
        var calls = Enumerable.Range(0, 4).Select(_ => Task.Run(() => model.InferAsync(request, CancellationToken.None))).ToList();
        await Task.Delay(30);

        Assert.True(await runtime.UnloadAsync("slow", CancellationToken.None));

        foreach (var call in calls)
        {
            try
            {
                var response = await call;
                Assert.Equal(new long[] { 1, 1024 }, response.Outputs[0].Shape);
            }
            catch (InferenceException e)
            {
                Assert.Contains(e.Error, new[] { InferenceError.Overloaded, InferenceError.Unavailable });
            }
        }
        Assert.Contains(calls, c => c.IsCompletedSuccessfully);
        await runtime.LoadAsync("slow", CancellationToken.None);
    }

    [Fact]
    public async Task A_request_that_waits_past_its_timeout_fails_with_504()
    {
        var busy = Client.PostAsync("/v2/models/slow/infer", Protocol.Json(Protocol.FloatRequest("x", [1, 1024], new float[1024])));
        await WaitUntilAsync(async () => await Protocol.MetricAsync(Client, "tsunami_inference_queue_duration_us", "slow") > 0 || busy.IsCompleted);

        using var late = await Client.PostAsync("/v2/models/slow/infer",
            Protocol.Json(Protocol.FloatRequest("x", [1, 1024], new float[1024], extra: """, "parameters": { "timeout": 1 }""")));

        Assert.Equal(HttpStatusCode.GatewayTimeout, late.StatusCode);
        Assert.Contains("timeout", (await Protocol.JsonOf(late)).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await busy).StatusCode);
    }

    [Fact]
    public async Task An_oversize_payload_is_refused_with_413()
    {
        using var response = await Client.PostAsync("/v2/models/affine/infer", Protocol.Json(Protocol.FloatRequest("x", [8, 4], new float[32]) + new string(' ', 200_000)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("larger than the server accepts", (await Protocol.JsonOf(response)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200 && !await condition(); i++)
        {
            await Task.Delay(5);
        }
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
    }
}
