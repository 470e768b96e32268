namespace Tsunami.Core.Assets;

/// <summary>Another asset whose perceptual hash is within the near-duplicate distance.</summary>
public sealed record NearDuplicate(AssetId Other, int Distance);
