using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Tsunami.Inference.Onnx;
using Tsunami.Serving.Metrics;
using Tsunami.Serving.Repository;
using Tsunami.Serving.Tensors;

namespace Tsunami.Serving.Runtime;

/// <summary>
/// A loaded model version: its sessions (instances), its signature, and its dynamic batcher. Requests are checked
/// field by field before they are queued, so a bad one never reaches the model, and a batch that fails is re-run
/// request by request so that only the request that breaks the model fails.
/// </summary>
public sealed class ServedModel : IDisposable
{
    private readonly IReadOnlyList<OnnxModel> _instances;
    private readonly DynamicBatcher _batcher;
    private readonly ServingMetrics _metrics;
    private readonly KeyValuePair<string, object?>[] _labels;
    private readonly TimeSpan? _defaultTimeout;
    private long _computeTicks;
    private long _executions;

    internal ServedModel(ModelLocation location, IReadOnlyList<OnnxModel> instances, int defaultQueueSize, ServingMetrics metrics)
    {
        Location = location;
        _instances = instances;
        _metrics = metrics;
        _labels = ServingMetrics.Labels(Name, Version);
        (Inputs, Outputs) = ModelSignatureReader.Read(location.Config, instances[0].Session);
        _defaultTimeout = location.Config.DynamicBatching is { DefaultTimeoutMicroseconds: > 0 } b ? TimeSpan.FromMicroseconds(b.DefaultTimeoutMicroseconds) : null;
        _batcher = new DynamicBatcher(Name, location.Config, defaultQueueSize, instances.Count, Execute);
    }

    public ModelLocation Location { get; }

    public ModelConfig Config => Location.Config;

    public string Name => Config.Name;

    public string Version => Location.Version;

    public IReadOnlyList<TensorMetadata> Inputs { get; }

    public IReadOnlyList<TensorMetadata> Outputs { get; }

    public int InstanceCount => _instances.Count;

    /// <summary>The sessions behind the batcher, for callers that measure the model itself.</summary>
    public IReadOnlyList<OnnxModel> Instances => _instances;

    public int Pending => _batcher.Pending;

    /// <summary>Model executions so far (a merged batch is one).</summary>
    public long Executions => Interlocked.Read(ref _executions);

    public string ExecutionProvider => _instances[0].ExecutionProvider;

    public ModelMetadata Metadata => new(Name, [Version], "onnxruntime_onnx", Inputs, Outputs);

    public async Task<InferResponse> InferAsync(InferRequest request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var (batchSize, shapeKey) = Validate(request);
            var timeout = request.Timeout ?? _defaultTimeout;
            var pending = new PendingRequest(request, batchSize, shapeKey, timeout, cancellationToken);
            if (request.InProcess)
            {
                if (!_batcher.TryRunHere(pending))
                {
                    await _batcher.EnqueueAsync(pending, cancellationToken).ConfigureAwait(false);
                }
            }
            else if (!_batcher.TryEnqueue(pending))
            {
                throw new InferenceException(InferenceError.Overloaded,
                    $"model '{Name}' is overloaded: its queue holds {_batcher.Capacity} requests; retry later", RetryAfter());
            }
            var wait = pending.Completion.Task;
            var response = timeout is { } t
                ? await wait.WaitAsync(t, cancellationToken).ConfigureAwait(false)
                : await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
            _metrics.RequestSuccess.Add(1, _labels);
            return response;
        }
        catch (TimeoutException)
        {
            Fail("timeout");
            throw new InferenceException(InferenceError.Timeout, $"model '{Name}': the request did not complete within its timeout");
        }
        catch (InferenceException e)
        {
            Fail(e.Error.ToString());
            throw;
        }
        finally
        {
            _metrics.RequestMicroseconds.Add((long)Stopwatch.GetElapsedTime(started).TotalMicroseconds, _labels);
        }
    }

    /// <summary>Runs the request on the given instance, whatever is queued: one run each warms every instance up.</summary>
    public async Task<InferResponse> InferOnAsync(int instance, InferRequest request, CancellationToken cancellationToken)
    {
        var (batchSize, shapeKey) = Validate(request);
        var pending = new PendingRequest(request, batchSize, shapeKey, null, cancellationToken);
        await _batcher.RunOnAsync(pending, instance, cancellationToken).ConfigureAwait(false);
        return await pending.Completion.Task.ConfigureAwait(false);
    }

    private void Fail(string reason) =>
        _metrics.RequestFailure.Add(1, [.. _labels, new("reason", reason)]);

    /// <summary>A guess at when the queue will have room: the mean execution time, times the batches queued, over the instances.</summary>
    private TimeSpan RetryAfter()
    {
        var executions = Math.Max(1, Interlocked.Read(ref _executions));
        var mean = TimeSpan.FromTicks(Interlocked.Read(ref _computeTicks) / executions);
        var batches = (double)_batcher.Pending / Math.Max(1, Config.MaxBatchSize);
        return TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(mean.TotalSeconds * batches / InstanceCount)));
    }

    private (long BatchSize, string ShapeKey) Validate(InferRequest request)
    {
        if (request.Inputs.Count == 0)
        {
            throw Bad("'inputs' is empty");
        }
        long? batch = null;
        var key = new System.Text.StringBuilder();
        foreach (var input in request.Inputs)
        {
            var spec = Inputs.FirstOrDefault(i => i.Name == input.Name)
                ?? throw Bad($"input '{input.Name}': model '{Name}' has no input of that name (inputs: {string.Join(", ", Inputs.Select(i => i.Name))})");
            if (request.Inputs.Count(i => i.Name == input.Name) > 1)
            {
                throw Bad($"input '{input.Name}' is given more than once");
            }
            if (input.DataType != spec.DataType)
            {
                throw Bad($"input '{input.Name}': datatype {input.DataType} does not match the model's {spec.DataType}");
            }
            if (input.Shape.Length != spec.Shape.Length || input.Shape.Any(d => d < 1) ||
                input.Shape.Zip(spec.Shape).Any(p => p.Second >= 0 && p.First != p.Second))
            {
                throw Bad($"input '{input.Name}': shape {InferTensor.Format(input.Shape)} does not match the model's {InferTensor.Format(spec.Shape)}");
            }
            if (Config.MaxBatchSize > 0)
            {
                if (input.Shape[0] > Config.MaxBatchSize)
                {
                    throw Bad($"input '{input.Name}': batch of {input.Shape[0]} exceeds the model's max_batch_size {Config.MaxBatchSize}");
                }
                if (batch is { } b && b != input.Shape[0])
                {
                    throw Bad($"input '{input.Name}': batch of {input.Shape[0]} differs from the other inputs' {b}");
                }
                batch = input.Shape[0];
            }
            var expectedBytes = input.Elements * DataType.Size(input.DataType);
            if (input.Data.Length != expectedBytes)
            {
                throw Bad($"input '{input.Name}': shape {InferTensor.Format(input.Shape)} of {input.DataType} needs {expectedBytes} bytes, got {input.Data.Length}");
            }
            key.Append(input.Name).Append(InferTensor.Format(Config.MaxBatchSize > 0 ? input.Shape[1..] : input.Shape));
        }
        var missing = Inputs.Where(spec => request.Inputs.All(i => i.Name != spec.Name)).Select(spec => spec.Name).ToList();
        if (missing.Count > 0)
        {
            throw Bad($"input '{missing[0]}' is missing (model '{Name}' needs {string.Join(", ", Inputs.Select(i => i.Name))})");
        }
        foreach (var output in request.Outputs ?? [])
        {
            if (Outputs.All(o => o.Name != output))
            {
                throw Bad($"output '{output}': model '{Name}' has no output of that name (outputs: {string.Join(", ", Outputs.Select(o => o.Name))})");
            }
        }
        return (batch ?? 1, key.ToString());
    }

    private static InferenceException Bad(string message) => new(InferenceError.BadRequest, message);

    private void Execute(List<PendingRequest> batch, int instance)
    {
        var queued = batch.Sum(r => (long)Stopwatch.GetElapsedTime(r.EnqueuedAt).TotalMicroseconds);
        _metrics.QueueMicroseconds.Add(queued, _labels);
        try
        {
            var results = Run(batch, _instances[instance]);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Completion.TrySetResult(results[i]);
            }
        }
        catch (OnnxRuntimeException) when (batch.Count > 1)
        {
            foreach (var request in batch)
            {
                ExecuteAlone(request, instance);
            }
        }
        catch (Exception e)
        {
            batch.ForEach(r => r.Completion.TrySetException(ModelFailed(e)));
        }
    }

    private void ExecuteAlone(PendingRequest request, int instance)
    {
        try
        {
            request.Completion.TrySetResult(Run([request], _instances[instance])[0]);
        }
        catch (Exception e)
        {
            request.Completion.TrySetException(ModelFailed(e));
        }
    }

    private InferenceException ModelFailed(Exception e) =>
        new(InferenceError.ModelFailed, $"model '{Name}' failed on this request: {e.Message.Split('\n')[0].Trim()}");

    private List<InferResponse> Run(List<PendingRequest> batch, OnnxModel session)
    {
        var batching = Config.MaxBatchSize > 0;
        var total = batch.Sum(r => r.BatchSize);
        var inputs = new List<OrtValue>();
        var pins = new List<System.Buffers.MemoryHandle>();
        try
        {
            foreach (var spec in Inputs)
            {
                var parts = batch.Select(r => r.Request.Inputs.First(i => i.Name == spec.Name)).ToList();
                long[] shape = batching ? [total, .. parts[0].Shape[1..]] : parts[0].Shape;
                if (parts.Count == 1 && TryWrap(parts[0].Data, spec.DataType, shape, pins) is { } wrapped)
                {
                    inputs.Add(wrapped);
                    continue;
                }
                var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, DataType.ToOnnx(spec.DataType), shape);
                inputs.Add(value);
                var target = value.GetTensorMutableRawData();
                var offset = 0;
                foreach (var part in parts)
                {
                    part.Data.Span.CopyTo(target[offset..]);
                    offset += part.Data.Length;
                }
            }
            var wanted = batch.Any(r => r.Request.Outputs is null)
                ? Outputs.Select(o => o.Name).ToList()
                : Outputs.Select(o => o.Name).Where(o => batch.Any(r => r.Request.Outputs!.Contains(o))).ToList();
            var started = Stopwatch.GetTimestamp();
            using var outputs = session.Run(Inputs.Select(i => i.Name).ToList(), inputs, wanted);
            var elapsed = Stopwatch.GetElapsedTime(started);
            Interlocked.Add(ref _computeTicks, elapsed.Ticks);
            Interlocked.Increment(ref _executions);
            _metrics.ComputeMicroseconds.Add((long)elapsed.TotalMicroseconds, _labels);
            _metrics.ExecutionCount.Add(1, _labels);
            _metrics.InferenceCount.Add(total, _labels);
            _metrics.BatchSize.Record(total, _labels);
            return Split(batch, wanted, outputs, total, batching);
        }
        finally
        {
            inputs.ForEach(v => v.Dispose());
            pins.ForEach(p => p.Dispose());
        }
    }

    private static ReadOnlyMemory<byte> Copy(ReadOnlySpan<byte> bytes, System.Buffers.ArrayPool<byte>? pool)
    {
        if (pool is null)
        {
            return bytes.ToArray();
        }
        var rented = pool.Rent(bytes.Length);
        bytes.CopyTo(rented);
        return rented.AsMemory(0, bytes.Length);
    }

    /// <summary>
    /// A lone request's input as a tensor over its own bytes, pinned where they lie: a copy of a photo-sized tensor
    /// into fresh memory costs more than the run (page faults). Null when the bytes are not aligned to their element
    /// size (a binary request's tensors sit at any offset of its body), which some kernels do not accept.
    /// </summary>
    private static unsafe OrtValue? TryWrap(ReadOnlyMemory<byte> data, string dataType, long[] shape, List<System.Buffers.MemoryHandle> pins)
    {
        var pinned = data.Pin();
        if ((nuint)pinned.Pointer % (nuint)DataType.Size(dataType) != 0)
        {
            pinned.Dispose();
            return null;
        }
        pins.Add(pinned);
        return OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, DataType.ToOnnx(dataType), shape, (IntPtr)pinned.Pointer, data.Length);
    }

    private List<InferResponse> Split(List<PendingRequest> batch, List<string> names, IReadOnlyList<OrtValue> outputs, long total, bool batching)
    {
        var tensors = batch.Select(_ => new List<InferTensor>()).ToList();
        for (var o = 0; o < names.Count; o++)
        {
            var info = outputs[o].GetTensorTypeAndShape();
            var dataType = DataType.FromOnnx(info.ElementDataType);
            var shape = info.Shape;
            var bytes = outputs[o].GetTensorMutableRawData();
            if (batching && (shape.Length == 0 || shape[0] != total))
            {
                throw new InvalidOperationException($"output '{names[o]}' has shape {InferTensor.Format(shape)}, not a batch of {total}");
            }
            var itemBytes = batching ? bytes.Length / total : bytes.Length;
            var offset = 0L;
            for (var r = 0; r < batch.Count; r++)
            {
                var items = batching ? batch[r].BatchSize : 1;
                var length = (int)(itemBytes * items);
                if (batch[r].Request.Outputs is not { } wanted || wanted.Contains(names[o]))
                {
                    long[] own = batching ? [items, .. shape[1..]] : shape;
                    tensors[r].Add(new InferTensor(names[o], dataType, own, Copy(bytes.Slice((int)offset, length), batch[r].Request.OutputPool)));
                }
                offset += length;
            }
        }
        return batch.Select((r, i) => new InferResponse(Name, Version, r.Request.Id, tensors[i])).ToList();
    }

    public void Dispose()
    {
        _batcher.Dispose();
        foreach (var instance in _instances)
        {
            instance.Dispose();
        }
    }
}
