namespace Tsunami.Engine.Ingest;

/// <param name="Sources">Files and folders; folders are walked recursively.</param>
/// <param name="Collection">The collection the photos join; created when new.</param>
/// <param name="Tags">User tags given to every photo of this ingest (e.g. site=12).</param>
/// <param name="Enrich">Run every enrichment stage on each photo while its decoded pixels are at hand.</param>
/// <param name="Names">
/// The name a source file is recorded and reported under, by its full path (uploads: the uploaded file's name, while
/// the bytes sit under a name of the server's choosing); others keep their path.
/// </param>
public sealed record IngestRequest(
    IReadOnlyList<string> Sources, string Collection, IReadOnlyDictionary<string, string> Tags, bool Enrich = false,
    IReadOnlyDictionary<string, string>? Names = null)
{
    public string NameOf(string path) => Names?.GetValueOrDefault(path) ?? path;
}
