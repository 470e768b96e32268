using System.Diagnostics;

namespace Tsunami.Serving.Runtime;

/// <summary>A validated request waiting for a batch: how many items it brings and the shape key its batch must share.</summary>
internal sealed class PendingRequest(InferRequest request, long batchSize, string shapeKey, TimeSpan? timeout, CancellationToken cancellationToken)
{
    public InferRequest Request { get; } = request;

    public long BatchSize { get; } = batchSize;

    /// <summary>The non-batch dimensions of every input: only requests with equal keys are merged.</summary>
    public string ShapeKey { get; } = shapeKey;

    public long EnqueuedAt { get; } = Stopwatch.GetTimestamp();

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public TaskCompletionSource<InferResponse> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Expired => timeout is { } t && Stopwatch.GetElapsedTime(EnqueuedAt) > t;

    /// <summary>Nobody waits for it any more: cancelled, timed out, or already answered.</summary>
    public bool Abandoned => CancellationToken.IsCancellationRequested || Completion.Task.IsCompleted;
}
