using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Tsunami.Inference.Repository;

namespace Tsunami.Serving.Repository;

/// <summary>Where a model version's file is and how it is configured.</summary>
public sealed record ModelLocation(ModelConfig Config, string Version, string Path, string Source);

/// <summary>
/// The models that can be served: the built-in defaults (configured in config/serving.json, their files resolved
/// from the model manifest) and every folder of the repository (Triton's layout: &lt;name&gt;/config.json and
/// &lt;name&gt;/&lt;version&gt;/model.onnx; the highest version is served). A repository folder overrides a built-in
/// model of the same name. Providers add models of their own (an installed CLIP model set).
/// </summary>
public sealed partial class ModelRepository(
    IOptions<ServingOptions> options, IOptions<ModelOptions> modelOptions, ModelResolver resolver, IEnumerable<IModelProvider> providers)
{
    private readonly ServingOptions _options = options.Value;

    public string Folder => _options.Repository;

    public IReadOnlyList<string> Names()
    {
        var names = BuiltIns().Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        names.UnionWith(providers.SelectMany(p => p.Names()));
        if (Directory.Exists(Folder))
        {
            names.UnionWith(Directory.GetDirectories(Folder).Select(Path.GetFileName).OfType<string>().Where(IsValidName));
        }
        return names.Order(StringComparer.Ordinal).ToList();
    }

    /// <exception cref="KeyNotFoundException">No model of that name.</exception>
    /// <exception cref="InvalidDataException">Its configuration or folder is wrong; the message names what.</exception>
    public async Task<ModelLocation> LocateAsync(string name, CancellationToken cancellationToken)
    {
        if (!IsValidName(name))
        {
            throw new KeyNotFoundException($"'{name}' is not a model name (letters, digits, '.', '-' and '_')");
        }
        var folder = Path.Combine(Folder, name);
        if (Folder.Length > 0 && Directory.Exists(folder))
        {
            return LocateInFolder(name, folder);
        }
        foreach (var provider in providers)
        {
            if (provider.Locate(name) is { } provided)
            {
                return provided;
            }
        }
        var builtIn = BuiltIns().FirstOrDefault(c => c.Name == name)
            ?? throw new KeyNotFoundException($"no model named '{name}' in the repository {Folder} or among the built-in models");
        var manifest = ModelManifest.Load(modelOptions.Value.Manifest);
        var resolved = await resolver.ResolveAsync(manifest.Find(builtIn.ManifestModel!), cancellationToken);
        return new ModelLocation(builtIn, "1", resolved.Path, "built-in");
    }

    private static ModelLocation LocateInFolder(string name, string folder)
    {
        var configPath = Path.Combine(folder, "config.json");
        var config = File.Exists(configPath) ? ModelConfig.Parse(File.ReadAllText(configPath), configPath) : new ModelConfig { Name = name };
        if (config.Name != name)
        {
            throw new InvalidDataException($"{configPath}: name '{config.Name}' differs from its folder '{name}'");
        }
        var version = Directory.GetDirectories(folder).Select(Path.GetFileName).OfType<string>()
            .Where(v => long.TryParse(v, out var n) && n > 0).MaxBy(long.Parse)
            ?? throw new InvalidDataException($"model '{name}': {folder} has no version folder (1/, 2/, ...) holding {config.DefaultModelFilename}");
        var file = config.Precision == "int8" ? config.Int8ModelFilename! : config.DefaultModelFilename;
        var path = Path.Combine(folder, version, file);
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"model '{name}' version {version}: {path} does not exist");
        }
        return new ModelLocation(config, version, path, folder);
    }

    private List<ModelConfig> BuiltIns()
    {
        if (!File.Exists(_options.BuiltInModels))
        {
            return [];
        }
        try
        {
            var configs = JsonSerializer.Deserialize<BuiltInModels>(File.ReadAllText(_options.BuiltInModels), ModelConfig.Json)?.Models ?? [];
            foreach (var config in configs)
            {
                var source = $"{_options.BuiltInModels} ({config.Name})";
                ModelConfig.Parse(JsonSerializer.Serialize(config, ModelConfig.Json), source);
                if (string.IsNullOrWhiteSpace(config.ManifestModel) || !IsValidName(config.Name))
                {
                    throw new InvalidDataException($"{source}: a built-in model needs a valid name and manifest_model, the manifest entry it serves");
                }
            }
            return configs;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{_options.BuiltInModels}: {e.Message}", e);
        }
    }

    public static bool IsValidName(string name) => name.Length is > 0 and <= 128 && name != "." && name != ".." && NamePattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex NamePattern();

    private sealed class BuiltInModels
    {
        public List<ModelConfig> Models { get; set; } = [];
    }
}
