using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tsunami.Inference.Repository;

/// <summary>One file the models need: where it comes from and the digests accepted for it.</summary>
public sealed record ModelFile(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("sha256")] IReadOnlyList<string> Sha256,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("license")] string License);

public sealed record ModelManifest([property: JsonPropertyName("models")] IReadOnlyList<ModelFile> Models)
{
    /// <exception cref="InvalidDataException">The manifest is missing, not JSON, or an entry lacks a field.</exception>
    public static ModelManifest Load(string path)
    {
        ModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(File.ReadAllText(path), ManifestJson.Default.ModelManifest);
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            throw new InvalidDataException($"model manifest {path}: {e.Message}", e);
        }
        if (manifest?.Models is null)
        {
            throw new InvalidDataException($"model manifest {path}: no \"models\" list");
        }
        foreach (var model in manifest.Models)
        {
            if (string.IsNullOrWhiteSpace(model.Name) || string.IsNullOrWhiteSpace(model.File) || model.Sha256 is not { Count: > 0 } ||
                string.IsNullOrWhiteSpace(model.Url) || Path.IsPathRooted(model.File) || model.File.Split('/').Contains(".."))
            {
                throw new InvalidDataException($"model manifest {path}: entry '{model.Name}' needs name, a relative file path, sha256 and url");
            }
        }
        return manifest;
    }

    public ModelFile Find(string name) =>
        Models.FirstOrDefault(m => m.Name == name) ?? throw new KeyNotFoundException(
            $"no model named '{name}' in the manifest; known: {string.Join(", ", Models.Select(m => m.Name))}");
}

[JsonSerializable(typeof(ModelManifest))]
[JsonSourceGenerationOptions(ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
internal sealed partial class ManifestJson : JsonSerializerContext;
