using System.Diagnostics.Metrics;

namespace Tsunami.Serving.Metrics;

/// <summary>
/// The serving runtime's instruments, named and counted as NVIDIA Triton's (nv_ → tsunami_), each labelled with
/// model and version: tsunami_inference_count counts inferences (batch items) and tsunami_inference_exec_count model
/// executions, so their ratio is the average batch size. Exported by whatever reads the meter (OpenTelemetry's
/// Prometheus exporter in the server).
/// </summary>
public sealed class ServingMetrics : IDisposable
{
    private const string BaseMeterName = "Tsunami.Serving";
    private static int _runtimes;

    private readonly Meter _meter;

    public ServingMetrics(IMeterFactory meters)
    {
        var runtime = Interlocked.Increment(ref _runtimes);
        MeterName = runtime == 1 ? BaseMeterName : $"{BaseMeterName}.{runtime}";
        _meter = meters.Create(MeterName);
        RequestSuccess = _meter.CreateCounter<long>("tsunami_inference_request_success", description: "Inference requests that succeeded");
        RequestFailure = _meter.CreateCounter<long>("tsunami_inference_request_failure", description: "Inference requests that failed (label reason)");
        InferenceCount = _meter.CreateCounter<long>("tsunami_inference_count", description: "Inferences performed (a batch of n counts n)");
        ExecutionCount = _meter.CreateCounter<long>("tsunami_inference_exec_count", description: "Model executions (a batch counts once)");
        QueueMicroseconds = _meter.CreateCounter<long>("tsunami_inference_queue_duration_us", description: "Cumulative time requests waited in the queue, microseconds");
        ComputeMicroseconds = _meter.CreateCounter<long>("tsunami_inference_compute_infer_duration_us", description: "Cumulative model execution time, microseconds");
        RequestMicroseconds = _meter.CreateCounter<long>("tsunami_inference_request_duration_us", description: "Cumulative end-to-end request time, microseconds");
        BatchSize = _meter.CreateHistogram<long>("tsunami_inference_batch_size", description: "Inferences per model execution",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128] });
    }

    /// <summary>
    /// This runtime's meter: "Tsunami.Serving", or "Tsunami.Serving.N" for the N-th runtime of a process that holds
    /// several (tests, benches). OpenTelemetry subscribes to meters by name across the whole process: hosts whose
    /// meters shared a name exported each other's instruments, and disposing one host's meter silenced the others'.
    /// </summary>
    public string MeterName { get; }

    public Counter<long> RequestSuccess { get; }

    public Counter<long> RequestFailure { get; }

    public Counter<long> InferenceCount { get; }

    public Counter<long> ExecutionCount { get; }

    public Counter<long> QueueMicroseconds { get; }

    public Counter<long> ComputeMicroseconds { get; }

    public Counter<long> RequestMicroseconds { get; }

    public Histogram<long> BatchSize { get; }

    /// <summary>Registers the gauges that read the runtime's state when scraped.</summary>
    public void Observe(Func<IEnumerable<(string Model, string Version, int Pending, int Instances)>> state)
    {
        _meter.CreateObservableGauge("tsunami_inference_pending_request_count",
            () => state().Select(s => new Measurement<int>(s.Pending, Labels(s.Model, s.Version))),
            description: "Requests waiting in the model's queue");
        _meter.CreateObservableGauge("tsunami_model_instance_count",
            () => state().Select(s => new Measurement<int>(s.Instances, Labels(s.Model, s.Version))),
            description: "Loaded instances (sessions) of the model");
    }

    public static KeyValuePair<string, object?>[] Labels(string model, string version) => [new("model", model), new("version", version)];

    public void Dispose() => _meter.Dispose();
}
