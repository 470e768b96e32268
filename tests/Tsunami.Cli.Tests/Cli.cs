using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace Tsunami.Cli.Tests;

internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public JsonElement Json => JsonDocument.Parse(Stdout).RootElement;
}

/// <summary>Runs the built tsunami CLI in a child process, as a user or script would.</summary>
internal static class Cli
{
    private static readonly string Configuration =
        typeof(Cli).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string Dll { get; } = Path.Combine(RepositoryPaths.Root, "src", "Tsunami.Cli", "bin", Configuration, "net10.0", "tsunami.dll");

    public static ProcessStartInfo StartInfo(string dataDirectory, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.ArgumentList.Add("--data");
        info.ArgumentList.Add(dataDirectory);
        info.Environment["TSUNAMI_Models__SharedDirectory"] = RepositoryPaths.SharedModels;
        info.Environment["TSUNAMI_Models__AllowDownload"] = "false";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        return info;
    }

    public static async Task<CliRun> RunAsync(string dataDirectory, params string[] args) => await RunAsync(dataDirectory, args, null);

    public static async Task<CliRun> RunAsync(string dataDirectory, string[] args, IDictionary<string, string>? environment)
    {
        using var process = Process.Start(StartInfo(dataDirectory, args, environment))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return new CliRun(process.ExitCode, await stdout, await stderr);
    }
}
