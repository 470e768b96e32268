namespace Tsunami.Vectors;

/// <summary>
/// HNSW's build parameters (Malkov and Yashunin 2018). <see cref="M"/>: links per node per layer (2M on layer 0);
/// more links, better recall at a given ef, more memory and slower builds. <see cref="EfConstruction"/>: the
/// candidate list while inserting; higher builds a better graph, slower. Search-time ef is per query
/// (<see cref="SearchOptions.Ef"/>).
/// </summary>
public sealed record HnswOptions
{
    public int M { get; init; } = 16;
    public int EfConstruction { get; init; } = 200;

    /// <summary>Threads <see cref="HnswIndex.AddRange"/> inserts on at once.</summary>
    public int BuildThreads { get; init; } = Environment.ProcessorCount;

    /// <summary>Seeds the layer draw, so a build made by one thread is repeatable.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>
    /// Search on int8 codes (a quarter of the bytes) and re-score the best <see cref="Oversampling"/> × k candidates
    /// on float32. The graph is built on float32.
    /// </summary>
    public bool Int8 { get; init; }

    public int Oversampling { get; init; } = 4;

    /// <summary>
    /// With <see cref="Int8"/>, an index opened from a snapshot reads its float32 rows (used only to re-score) in
    /// place from the file, memory-mapped, instead of holding them on the heap; vectors added later are on the heap.
    /// </summary>
    public bool FloatsOnDisk { get; init; } = true;

    /// <summary>A checkpoint of a durable index rebuilds the graph without its tombstones once they are this share of its nodes.</summary>
    public double CompactAboveTombstones { get; init; } = 0.2;

    /// <summary>Below this share of live vectors, a filtered search compares the allowed vectors exactly instead.</summary>
    public double ExactBelowSelectivity { get; init; } = 0.02;
}
