using System.CommandLine;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Tsunami.Cli.Output;
using Tsunami.Inference.Clip;
using Tsunami.Inference.Repository;

namespace Tsunami.Cli.Commands;

internal static class TokenizeCommand
{
    private static readonly Argument<string> Text = new("text") { Description = "The text to tokenize" };

    private static readonly Option<string> Tokenizer = new("--tokenizer")
    {
        Description = "'clip' (OpenAI CLIP's vocabulary) or the folder of an installed CLIP model set",
        DefaultValueFactory = _ => "clip",
    };

    public static Command Create()
    {
        var command = new Command("tokenize", "Show the token ids a text encoder is given") { Text, Tokenizer };
        command.SetAction(CliAction.Of(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var name = context.ParseResult.GetValue(Tokenizer)!;
        var tokenizer = name == "clip"
            ? await ClipTokenizers.DefaultAsync(context.Get<ModelResolver>(), context.Get<IOptions<ModelOptions>>().Value, cancellationToken)
            : Directory.Exists(name) ? ClipModelFolder.Read(name).LoadTokenizer()
            : throw new ArgumentException($"--tokenizer: '{name}' is neither 'clip' nor a folder");
        var ids = tokenizer.Encode(context.ParseResult.GetValue(Text)!);
        if (context.Json)
        {
            JsonOutput.Write(new { ids });
        }
        else
        {
            context.Console.WriteLine(string.Join(' ', ids));
        }
        return 0;
    }
}
