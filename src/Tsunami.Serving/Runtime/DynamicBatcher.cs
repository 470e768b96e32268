using System.Diagnostics;
using System.Threading.Channels;
using Tsunami.Serving.Repository;

namespace Tsunami.Serving.Runtime;

/// <summary>
/// One bounded queue per model, drained by one thread per instance. A thread takes the oldest request and, when the
/// model batches, keeps adding queued requests of the same shape until the batch reaches max_batch_size, reaches a
/// preferred size with nothing else queued, or its oldest request has waited max_queue_delay. A request of another
/// shape, or one that would overflow the batch, starts that thread's next batch. With several instances, a batch
/// takes its share of what is queued rather than all of it. Unloading lets the queue drain.
/// An in-process request that finds nothing queued and an instance idle, on a model that waits for no company (no
/// queue delay), may run at once on its caller's thread: nothing could have joined its batch, and the hand-over to an
/// instance thread and back is saved.
/// </summary>
internal sealed class DynamicBatcher : IDisposable
{
    private readonly Channel<PendingRequest> _queue;
    private readonly int _capacity;
    private readonly int _maxBatch;
    private readonly HashSet<long> _preferred;
    private readonly long _delayTicks;
    private readonly Action<List<PendingRequest>, int> _execute;
    private readonly int _instances;
    private readonly List<Thread> _threads = [];
    private readonly SemaphoreSlim[] _idle;
    private readonly int[] _claimed;
    private volatile bool _closing;

    public DynamicBatcher(string model, ModelConfig config, int defaultQueueSize, int instances, Action<List<PendingRequest>, int> execute)
    {
        var batching = config.DynamicBatching;
        _capacity = batching is { MaxQueueSize: > 0 } ? batching.MaxQueueSize : defaultQueueSize;
        _maxBatch = batching is null ? 1 : config.MaxBatchSize;
        _preferred = batching is null ? [] : batching.PreferredBatchSize.Select(size => (long)size).ToHashSet();
        _delayTicks = batching is null ? 0 : batching.MaxQueueDelayMicroseconds * Stopwatch.Frequency / 1_000_000;
        _execute = execute;
        _instances = instances;
        _idle = [.. Enumerable.Range(0, instances).Select(_ => new SemaphoreSlim(1, 1))];
        _claimed = new int[instances];
        _queue = Channel.CreateBounded<PendingRequest>(new BoundedChannelOptions(_capacity) { FullMode = BoundedChannelFullMode.Wait });
        for (var instance = 0; instance < instances; instance++)
        {
            var index = instance;
            var thread = new Thread(() => Drain(index)) { IsBackground = true, Name = $"{model} instance {instance}" };
            _threads.Add(thread);
            thread.Start();
        }
    }

    public int Pending => _queue.Reader.Count;

    public int Capacity => _capacity;

    /// <returns>false when the queue is full.</returns>
    public bool TryEnqueue(PendingRequest request) => _queue.Writer.TryWrite(request);

    /// <summary>Waits for room in a full queue (in-process callers, who wait their turn instead of retrying).</summary>
    public async Task EnqueueAsync(PendingRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw Unloaded();
        }
    }

    /// <summary>Runs the request on this thread if nothing is queued, an instance is idle and the model never waits for company.</summary>
    /// <returns>false when it must be queued.</returns>
    public bool TryRunHere(PendingRequest request)
    {
        if (_delayTicks > 0 || _queue.Reader.Count > 0 || _closing || request.CancellationToken.IsCancellationRequested)
        {
            return false;
        }
        for (var instance = 0; instance < _idle.Length; instance++)
        {
            // An instance whose thread holds a queued batch is left to it: that batch came first.
            if (Volatile.Read(ref _claimed[instance]) == 0 && _idle[instance].Wait(0))
            {
                try
                {
                    // Unloading takes every instance once it has begun: past this check, the sessions stay open.
                    if (_closing || Volatile.Read(ref _claimed[instance]) != 0)
                    {
                        continue;
                    }
                    _execute([request], instance);
                    return true;
                }
                finally
                {
                    _idle[instance].Release();
                }
            }
        }
        return false;
    }

    /// <summary>Runs the request on the given instance once it is free, whatever is queued.</summary>
    public async Task RunOnAsync(PendingRequest request, int instance, CancellationToken cancellationToken)
    {
        await _idle[instance].WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closing)
            {
                throw Unloaded();
            }
            _execute([request], instance);
        }
        finally
        {
            _idle[instance].Release();
        }
    }

    private void Drain(int instance)
    {
        PendingRequest? carried = null;
        var reader = _queue.Reader;
        try
        {
            while (true)
            {
                var first = carried ?? Take(reader);
                carried = null;
                if (first is null)
                {
                    return;
                }
                if (Skip(first))
                {
                    continue;
                }
                Volatile.Write(ref _claimed[instance], 1);
                var batch = new List<PendingRequest> { first };
                var size = first.BatchSize;
                var limit = Limit(reader.Count);
                var deadline = first.EnqueuedAt + _delayTicks;
                while (size < limit)
                {
                    if (reader.TryRead(out var next))
                    {
                        if (Skip(next))
                        {
                            continue;
                        }
                        if (next.ShapeKey != first.ShapeKey || size + next.BatchSize > limit)
                        {
                            carried = next;
                            break;
                        }
                        batch.Add(next);
                        size += next.BatchSize;
                        continue;
                    }
                    var remaining = deadline - Stopwatch.GetTimestamp();
                    if (_preferred.Contains(size) || remaining <= 0)
                    {
                        break;
                    }
                    reader.WaitToReadAsync().AsTask().Wait(TimeSpan.FromTicks(remaining * TimeSpan.TicksPerSecond / Stopwatch.Frequency));
                }
                _idle[instance].Wait();
                try
                {
                    _execute(batch, instance);
                }
                finally
                {
                    Volatile.Write(ref _claimed[instance], 0);
                    _idle[instance].Release();
                }
            }
        }
        finally
        {
            carried?.Completion.TrySetException(Unloaded());
        }
    }

    /// <summary>
    /// What one batch may take: when requests are already queued, an even share of them per instance, so that one
    /// instance does not take the whole queue while the others idle; otherwise max_batch_size.
    /// </summary>
    private long Limit(int queued) =>
        queued == 0 || _instances == 1 ? _maxBatch : Math.Min(_maxBatch, (queued + _instances) / _instances);

    private PendingRequest? Take(ChannelReader<PendingRequest> reader)
    {
        while (true)
        {
            if (reader.TryRead(out var request))
            {
                return request;
            }
            if (!reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                return null;
            }
        }
    }

    /// <summary>Requests nobody waits for any more are dropped; expired ones fail with a timeout.</summary>
    private static bool Skip(PendingRequest request)
    {
        if (request.Abandoned)
        {
            return true;
        }
        if (request.Expired)
        {
            request.Completion.TrySetException(new InferenceException(InferenceError.Timeout, "the request's timeout expired in the queue before a model instance took it"));
            return true;
        }
        return false;
    }

    private static InferenceException Unloaded() => new(InferenceError.Unavailable, "the model was unloaded before the request ran");

    /// <summary>Takes no more requests, lets the instances finish what is queued, then stops them.</summary>
    public void Dispose()
    {
        _closing = true;
        _queue.Writer.TryComplete();
        foreach (var thread in _threads)
        {
            thread.Join();
        }
        // Runs on callers' threads finish before the sessions are closed. (The semaphores are left to the GC: a caller
        // may still be checking one, and without a wait handle they hold nothing to release.)
        foreach (var idle in _idle)
        {
            idle.Wait();
        }
    }
}
