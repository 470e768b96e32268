namespace Tsunami.Core.Assets;

public sealed record DerivedFile(DerivedKind Kind, ContentHash Hash, string MediaType, int Width, int Height, long Bytes);
