using System.CommandLine;
using Microsoft.Extensions.Options;
using Tsunami.Inference.Repository;
using Tsunami.Media;
using Tsunami.Query.Parsing;
using Tsunami.Storage;

namespace Tsunami.Cli;

/// <summary>Runs a command's body; turns an error into one line on stderr (a stack trace only with --verbose) and exit code 1.</summary>
internal static class CliAction
{
    public const int Failed = 1;

    public static Func<ParseResult, CancellationToken, Task<int>> Of(Func<CliContext, CancellationToken, Task<int>> body) =>
        async (parseResult, cancellationToken) =>
        {
            try
            {
                await using var context = CliContext.Create(parseResult);
                return await body(context, cancellationToken);
            }
            catch (Exception e)
            {
                var message = IsUserFacing(e) ? e.Message : $"{e.GetType().Name}: {e.Message}";
                await Console.Error.WriteLineAsync($"error: {message}");
                if (parseResult.GetValue(CliOptions.Verbose))
                {
                    await Console.Error.WriteLineAsync(e.ToString());
                }
                return Failed;
            }
        };

    private static bool IsUserFacing(Exception e) => e is StoreBusyException or AmbiguousAssetException or MediaException
        or ModelUnavailableException or OptionsValidationException or InvalidDataException or KeyNotFoundException
        or IOException or UnauthorizedAccessException or OperationCanceledException or QuestionException or ArgumentException
        or HttpRequestException;
}
