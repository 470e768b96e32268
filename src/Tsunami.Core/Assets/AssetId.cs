namespace Tsunami.Core.Assets;

/// <summary>A random asset identifier (UUID v4), printed as 32 lower-case hex digits; any 8+ leading digits find it.</summary>
public readonly record struct AssetId(Guid Value) : IComparable<AssetId>
{
    public static AssetId New() => new(Guid.NewGuid());

    public static bool TryParse(string? text, out AssetId id)
    {
        if (Guid.TryParseExact(text, "N", out var guid))
        {
            id = new AssetId(guid);
            return true;
        }
        id = default;
        return false;
    }

    public int CompareTo(AssetId other) => Value.CompareTo(other.Value);

    public override string ToString() => Value.ToString("N");
}
