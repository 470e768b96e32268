using System.Collections.Concurrent;
using Tsunami.Core.Ingest;
using Tsunami.Engine.Ingest;

namespace Tsunami.Server.Api;

/// <summary>
/// Ingest jobs the server runs in the background, one at a time with uploads (the store has one writer): their
/// progress while they run, their outcome after, and cancellation.
/// </summary>
internal sealed class IngestJobs(IngestService ingest, ILogger<IngestJobs> logger)
{
    private readonly ConcurrentDictionary<string, Job> _jobs = new(StringComparer.Ordinal);

    /// <summary>Serialises every writer of this process: jobs and uploads.</summary>
    public SemaphoreSlim Writer { get; } = new(1, 1);

    public sealed class Job(string id, IngestRequest request)
    {
        public string Id { get; } = id;
        public IngestRequest Request { get; } = request;
        public CancellationTokenSource Cancellation { get; } = new();
        public IngestProgress? Progress { get; set; }
        public IngestResult? Result { get; set; }
        public string Status { get; set; } = "queued";
        public string? Error { get; set; }
    }

    public Job Start(IngestRequest request)
    {
        var job = new Job(Guid.NewGuid().ToString("n")[..12], request);
        _jobs[job.Id] = job;
        _ = Task.Run(() => RunAsync(job));
        return job;
    }

    /// <summary>Runs <paramref name="write"/> as the process's one writer, waiting at most <paramref name="wait"/> (null: as long as it takes).</summary>
    /// <exception cref="ApiException">409 when the writer was busy for longer than <paramref name="wait"/>.</exception>
    public async Task<T> AsWriterAsync<T>(string action, Func<Task<T>> write, TimeSpan? wait, CancellationToken cancellationToken)
    {
        if (!await Writer.WaitAsync(wait ?? Timeout.InfiniteTimeSpan, cancellationToken))
        {
            throw new ApiException(StatusCodes.Status409Conflict, $"an ingest job or upload is writing to the store; retry the {action} when it has finished");
        }
        try
        {
            return await write();
        }
        finally
        {
            Writer.Release();
        }
    }

    public Job? Find(string id) => _jobs.GetValueOrDefault(id);

    public IReadOnlyList<Job> All => [.. _jobs.Values];

    private async Task RunAsync(Job job)
    {
        try
        {
            await Writer.WaitAsync(job.Cancellation.Token);
            try
            {
                job.Status = "running";
                job.Result = await ingest.IngestAsync(job.Request, new Progress<IngestProgress>(p => job.Progress = p), job.Cancellation.Token);
                job.Status = job.Result.Status == IngestJobStatus.Cancelled ? "cancelled" : "completed";
            }
            finally
            {
                Writer.Release();
            }
        }
        catch (OperationCanceledException)
        {
            job.Status = "cancelled";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Storage.StoreBusyException or InvalidDataException)
        {
            (job.Status, job.Error) = ("failed", e.Message);
            logger.LogWarning("Ingest job {Job} failed: {Reason}", job.Id, e.Message);
        }
    }
}
