namespace Tsunami.Engine.Ingest;

/// <summary>Time spent in each ingest stage, summed over all workers (so it can exceed the wall-clock time).</summary>
public sealed record StageTimes(TimeSpan Read, TimeSpan Hash, TimeSpan Decode, TimeSpan Encode, TimeSpan Metadata, TimeSpan Store)
{
    public TimeSpan Total => Read + Hash + Decode + Encode + Metadata + Store;
}

/// <summary>Thread-safe accumulator behind <see cref="StageTimes"/>.</summary>
internal sealed class StageClock
{
    private long _read, _hash, _decode, _encode, _metadata, _store;

    public void AddRead(TimeSpan t) => Interlocked.Add(ref _read, t.Ticks);

    public void AddHash(TimeSpan t) => Interlocked.Add(ref _hash, t.Ticks);

    public void AddDecode(TimeSpan t) => Interlocked.Add(ref _decode, t.Ticks);

    public void AddEncode(TimeSpan t) => Interlocked.Add(ref _encode, t.Ticks);

    public void AddMetadata(TimeSpan t) => Interlocked.Add(ref _metadata, t.Ticks);

    public void AddStore(TimeSpan t) => Interlocked.Add(ref _store, t.Ticks);

    public StageTimes Snapshot() => new(
        TimeSpan.FromTicks(Volatile.Read(ref _read)), TimeSpan.FromTicks(Volatile.Read(ref _hash)),
        TimeSpan.FromTicks(Volatile.Read(ref _decode)), TimeSpan.FromTicks(Volatile.Read(ref _encode)),
        TimeSpan.FromTicks(Volatile.Read(ref _metadata)), TimeSpan.FromTicks(Volatile.Read(ref _store)));
}
