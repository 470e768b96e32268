using System.ComponentModel.DataAnnotations;

namespace Tsunami.Engine.Ask;

/// <summary>How each vector space (visual, semantic, CLIP) is searched by questions (docs/vector-index.md).</summary>
public sealed class VectorIndexOptions
{
    public const string Section = "Vectors";

    /// <summary>auto: exact below <see cref="HnswAbove"/> vectors, an HNSW index from there; flat or hnsw force one.</summary>
    [AllowedValues("auto", "flat", "hnsw")]
    public string Index { get; set; } = "auto";

    [Range(1, int.MaxValue)]
    public int HnswAbove { get; set; } = 50_000;

    [Range(2, 128)]
    public int M { get; set; } = 16;

    [Range(1, 4096)]
    public int EfConstruction { get; set; } = 200;

    /// <summary>ef of a search (raised to <see cref="Candidates"/> when that is larger).</summary>
    [Range(1, 100_000)]
    public int Ef { get; set; } = 128;

    /// <summary>Nearest vectors an HNSW search keeps for one condition; ranks beyond them add nothing to the fusion.</summary>
    [Range(1, 1_000_000)]
    public int Candidates { get; set; } = 1000;

    internal bool WantsHnsw(int vectors) => Index == "hnsw" || (Index == "auto" && vectors >= HnswAbove);
}
