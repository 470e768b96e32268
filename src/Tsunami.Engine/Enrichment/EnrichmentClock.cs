using System.Collections.Concurrent;

namespace Tsunami.Engine.Enrichment;

/// <summary>Time per enrichment stage (and "decode"), summed over threads.</summary>
internal sealed class EnrichmentClock
{
    private readonly ConcurrentDictionary<string, long> _ticks = new(StringComparer.Ordinal);

    public void Add(string stage, TimeSpan elapsed) => _ticks.AddOrUpdate(stage, elapsed.Ticks, (_, t) => t + elapsed.Ticks);

    public IReadOnlyDictionary<string, TimeSpan> Snapshot() => _ticks.ToDictionary(p => p.Key, p => TimeSpan.FromTicks(p.Value));
}
