using System.Collections.Concurrent;
using Tsunami.Core.Assets;
using Tsunami.Core.Storage;
using Tsunami.Media.Hashing;

namespace Tsunami.Engine.Ingest;

/// <summary>
/// The content hashes of a collection and of the files in flight, so that identical bytes are processed
/// once; and the perceptual hashes, so that a new photo can be linked to its near-duplicates.
/// </summary>
internal sealed class DuplicateIndex
{
    private const int MaxLinksPerAsset = 8;
    private readonly ConcurrentDictionary<ContentHash, AssetId> _claims = new();
    private readonly List<(AssetId Id, ulong Hash)> _perceptual = [];
    private readonly int _maxDistance;

    public DuplicateIndex(IEnumerable<Fingerprint> existing, int maxDistance)
    {
        _maxDistance = maxDistance;
        foreach (var fingerprint in existing)
        {
            _claims.TryAdd(fingerprint.Hash, fingerprint.Id);
            _perceptual.Add((fingerprint.Id, fingerprint.PerceptualHash));
        }
    }

    /// <summary>Claims the content for <paramref name="id"/>; false, with the holder, when it is already stored or in flight.</summary>
    public bool TryClaim(ContentHash hash, AssetId id, out AssetId holder)
    {
        holder = _claims.GetOrAdd(hash, id);
        return holder == id;
    }

    /// <summary>Gives up a claim whose file failed, so an intact copy of the same bytes can still be ingested.</summary>
    public void Release(ContentHash hash, AssetId id) => _claims.TryRemove(new KeyValuePair<ContentHash, AssetId>(hash, id));

    /// <summary>Links a new asset to the closest earlier ones, then makes it findable. Called by the single writer.</summary>
    public IReadOnlyList<NearDuplicate> LinkAndAdd(AssetId id, ulong perceptualHash)
    {
        var links = new List<NearDuplicate>();
        foreach (var (otherId, otherHash) in _perceptual)
        {
            var distance = PerceptualHash.Distance(perceptualHash, otherHash);
            if (distance <= _maxDistance)
            {
                links.Add(new NearDuplicate(otherId, distance));
            }
        }
        _perceptual.Add((id, perceptualHash));
        return links.Count <= MaxLinksPerAsset ? links : links.OrderBy(link => link.Distance).Take(MaxLinksPerAsset).ToList();
    }
}
