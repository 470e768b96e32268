namespace Tsunami.Engine.Ingest;

/// <summary>
/// Time spent in each ingest stage, summed over all workers (so it can exceed the wall-clock time). Views are the
/// models' pixels made from the decoded photo when ingest enriches (zero otherwise).
/// </summary>
public sealed record StageTimes(TimeSpan Read, TimeSpan Hash, TimeSpan Decode, TimeSpan Views, TimeSpan Encode, TimeSpan Metadata, TimeSpan Store)
{
    public TimeSpan Total => Read + Hash + Decode + Views + Encode + Metadata + Store;
}

/// <summary>Thread-safe accumulator behind <see cref="StageTimes"/>.</summary>
internal sealed class StageClock
{
    private long _read, _hash, _decode, _views, _encode, _metadata, _store;

    public void AddRead(TimeSpan t) => Interlocked.Add(ref _read, t.Ticks);

    public void AddHash(TimeSpan t) => Interlocked.Add(ref _hash, t.Ticks);

    public void AddDecode(TimeSpan t) => Interlocked.Add(ref _decode, t.Ticks);

    public void AddViews(TimeSpan t) => Interlocked.Add(ref _views, t.Ticks);

    public void AddEncode(TimeSpan t) => Interlocked.Add(ref _encode, t.Ticks);

    public void AddMetadata(TimeSpan t) => Interlocked.Add(ref _metadata, t.Ticks);

    public void AddStore(TimeSpan t) => Interlocked.Add(ref _store, t.Ticks);

    public StageTimes Snapshot() => new(
        Ticks(ref _read), Ticks(ref _hash), Ticks(ref _decode), Ticks(ref _views), Ticks(ref _encode), Ticks(ref _metadata), Ticks(ref _store));

    private static TimeSpan Ticks(ref long field) => TimeSpan.FromTicks(Volatile.Read(ref field));
}
