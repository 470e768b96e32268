using System.ComponentModel.DataAnnotations;

namespace Tsunami.Engine.Ingest;

/// <summary>How ingest runs. Section "Ingest" of the configuration.</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";

    /// <summary>Photos processed at once; 0 means one per core.</summary>
    [Range(0, 256)]
    public int Parallelism { get; set; }

    /// <summary>Most assets committed in one transaction.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 64;

    /// <summary>Longest a processed photo waits for its batch to be committed, in milliseconds.</summary>
    [Range(1, 60_000)]
    public int BatchMaxDelayMilliseconds { get; set; } = 500;

    /// <summary>Perceptual-hash distance (bits of 64) at or below which two photos are linked as near-duplicates.</summary>
    [Range(0, 32)]
    public int NearDuplicateMaxDistance { get; set; } = 8;

    /// <summary>File name extensions a folder walk picks up; files named on the command line are always tried.</summary>
    public string[] Extensions { get; set; } = [".jpg", ".jpeg", ".jpe", ".png", ".webp", ".tif", ".tiff", ".gif", ".heic", ".heif", ".avif"];

    internal int EffectiveParallelism => Parallelism > 0 ? Parallelism : Environment.ProcessorCount;
}
