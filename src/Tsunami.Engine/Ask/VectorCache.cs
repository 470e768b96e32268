using Tsunami.Core.Search;

namespace Tsunami.Engine.Ask;

/// <summary>
/// Each vector space in memory, reloaded only when the store's generation for it changes: a long-lived process
/// (the server, the benchmark) reads them once. Flat and exact until the vector index replaces it.
/// </summary>
public sealed class VectorCache
{
    private readonly Dictionary<string, (long Generation, VectorSet Vectors)> _spaces = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<VectorSet> GetAsync(ISearchSession session, string space, CancellationToken cancellationToken)
    {
        var generation = await session.VectorGenerationAsync(space, cancellationToken);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_spaces.TryGetValue(space, out var cached) && cached.Generation == generation)
            {
                return cached.Vectors;
            }
            var vectors = await session.VectorsAsync(space, cancellationToken);
            _spaces[space] = (generation, vectors);
            return vectors;
        }
        finally
        {
            _gate.Release();
        }
    }
}
