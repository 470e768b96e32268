namespace Tsunami.Server;

/// <summary>The server's keys and limits. Section "Server" of the configuration.</summary>
public sealed class ServerOptions
{
    public const string Section = "Server";

    /// <summary>
    /// <c>"ApiKeys": [ { "Key": "...", "Role": "admin" } ]</c>, or TSUNAMI_API_KEYS as <c>key1:admin,key2:read</c>.
    /// On loopback keys are optional; on any other address the server needs one.
    /// </summary>
    public List<ApiKey> ApiKeys { get; set; } = [];

    /// <summary>Largest upload request in bytes (all its files together); each file is also held to Media:MaxFileBytes.</summary>
    public long MaxUploadBytes { get; set; } = 1L << 30;

    /// <summary>Folders ingest jobs may read from (and below); empty: any folder an admin names.</summary>
    public List<string> IngestRoots { get; set; } = [];

    public bool Required => ApiKeys.Count > 0;
}

public sealed class ApiKey
{
    public string Key { get; set; } = "";

    /// <summary>read: questions, assets, metadata and inference; admin: also changes (uploads, deletes, loading models).</summary>
    public string Role { get; set; } = ApiRoles.Read;
}

public static class ApiRoles
{
    public const string Read = "read";
    public const string Admin = "admin";

    /// <summary>Parses TSUNAMI_API_KEYS: comma-separated key:role pairs (a key alone is read-only).</summary>
    public static List<ApiKey> Parse(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(pair => pair.Split(':', 2) is [var key, var role] ? new ApiKey { Key = key, Role = role } : new ApiKey { Key = pair })
        .ToList();
}
