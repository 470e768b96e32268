using Microsoft.Extensions.Configuration;

namespace Tsunami.Engine.Hosting;

/// <summary>
/// Settings come, later overriding earlier, from: the built-in defaults (config/tsunami.defaults.json lists
/// them all), the JSON file named by TSUNAMI_CONFIG, TSUNAMI_* environment variables
/// (TSUNAMI_Ingest__BatchSize=32), then the command line's own options.
/// </summary>
public static class TsunamiConfiguration
{
    public static IConfigurationRoot Build(string dataDirectory, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var builder = new ConfigurationBuilder();
        if (Environment.GetEnvironmentVariable("TSUNAMI_CONFIG") is { Length: > 0 } file)
        {
            builder.AddJsonFile(Path.GetFullPath(file), optional: false);
        }
        builder.AddEnvironmentVariables("TSUNAMI_");
        builder.AddInMemoryCollection([new("Storage:DataDirectory", dataDirectory), .. overrides ?? []]);
        return builder.Build();
    }
}
