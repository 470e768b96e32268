using System.CommandLine;

namespace Tsunami.Cli;

/// <summary>Options every command takes.</summary>
internal static class CliOptions
{
    public static readonly Option<string?> Data = new("--data")
    {
        Description = "The data folder (default: $TSUNAMI_DATA, else ./data)",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print machine-readable JSON instead of text",
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Log what happens, and print stack traces with errors",
        Recursive = true,
    };
}
