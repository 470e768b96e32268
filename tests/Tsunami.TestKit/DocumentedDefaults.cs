using System.Text.Json;

namespace Tsunami.TestKit;

/// <summary>config/tsunami.defaults.json, where every setting is documented with its default.</summary>
public static class DocumentedDefaults
{
    /// <summary>One section of the file (comments allowed, as the file has them).</summary>
    public static JsonElement Section(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "config", "tsunami.defaults.json")),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }).RootElement.GetProperty(name).Clone();
}
