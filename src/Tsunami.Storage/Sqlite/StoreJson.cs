using System.Text.Json;
using System.Text.Json.Serialization;
using Tsunami.Core.Assets;

namespace Tsunami.Storage.Sqlite;

/// <summary>The JSON the store keeps in columns and builds with SQLite's json functions.</summary>
internal static partial class StoreJson
{
    public static string Serialize(IReadOnlyDictionary<string, string> map) =>
        JsonSerializer.Serialize(map as Dictionary<string, string> ?? new Dictionary<string, string>(map), Context.Default.DictionaryStringString);

    public static Dictionary<string, string> ParseMap(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize(json, Context.Default.DictionaryStringString) ?? [];

    public static IReadOnlyList<DerivedFile> ParseDerived(string? json) =>
        string.IsNullOrEmpty(json)
            ? []
            : (JsonSerializer.Deserialize(json, Context.Default.DerivedRowArray) ?? []).Select(row => new DerivedFile(
                Enum.Parse<DerivedKind>(row.Kind, ignoreCase: true), ContentHash.Parse(row.Sha256), row.MediaType, row.Width, row.Height, row.Bytes)).ToList();

    public static IReadOnlyList<NearDuplicate> ParseNearDuplicates(string? json) =>
        string.IsNullOrEmpty(json)
            ? []
            : (JsonSerializer.Deserialize(json, Context.Default.NearRowArray) ?? [])
                .Select(row => new NearDuplicate(AssetId.TryParse(row.Other, out var id) ? id : default, row.Distance))
                .OrderBy(link => link.Distance)
                .ToList();

    internal sealed record DerivedRow(
        [property: JsonPropertyName("kind")] string Kind,
        [property: JsonPropertyName("sha256")] string Sha256,
        [property: JsonPropertyName("media_type")] string MediaType,
        [property: JsonPropertyName("width")] int Width,
        [property: JsonPropertyName("height")] int Height,
        [property: JsonPropertyName("bytes")] long Bytes);

    internal sealed record NearRow(
        [property: JsonPropertyName("other")] string Other,
        [property: JsonPropertyName("distance")] int Distance);

    [JsonSerializable(typeof(Dictionary<string, string>))]
    [JsonSerializable(typeof(DerivedRow[]))]
    [JsonSerializable(typeof(NearRow[]))]
    private sealed partial class Context : JsonSerializerContext;
}
