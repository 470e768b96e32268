using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Tsunami.Engine.Hosting;
using Tsunami.Serving;

namespace Tsunami.Cli;

/// <summary>What a command runs with: the parsed options, the configured services and the console.</summary>
internal sealed class CliContext : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private CliContext(ParseResult parseResult, ServiceProvider services, IConfiguration configuration)
    {
        ParseResult = parseResult;
        _services = services;
        Configuration = configuration;
        Json = parseResult.GetValue(CliOptions.Json);
        Verbose = parseResult.GetValue(CliOptions.Verbose);
    }

    public ParseResult ParseResult { get; }
    public IConfiguration Configuration { get; }
    public bool Json { get; }
    public bool Verbose { get; }
    public IAnsiConsole Console { get; } = CreateConsole();

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public static CliContext Create(ParseResult parseResult)
    {
        var dataDirectory = parseResult.GetValue(CliOptions.Data) is { Length: > 0 } fromOption ? fromOption
            : Environment.GetEnvironmentVariable("TSUNAMI_DATA") is { Length: > 0 } fromEnvironment ? fromEnvironment
            : "data";
        var configuration = TsunamiConfiguration.Build(dataDirectory);
        var verbose = parseResult.GetValue(CliOptions.Verbose);

        var services = new ServiceCollection();
        services.AddLogging(logging => logging
            .SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Warning)
            .AddSimpleConsole(console => console.SingleLine = true)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
        services.AddTsunami(configuration);
        return new CliContext(parseResult, services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }), configuration);
    }

    private static IAnsiConsole CreateConsole()
    {
        var console = AnsiConsole.Console;
        if (System.Console.IsOutputRedirected)
        {
            // Piped output has no terminal width: keep ids and paths on one line.
            console.Profile.Width = 240;
        }
        return console;
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
