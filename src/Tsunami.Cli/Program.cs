using System.CommandLine;
using Tsunami.Cli;
using Tsunami.Cli.Commands;

var root = new RootCommand("Tsunami: ingest folders of photos into an embedded store and explore what is in them.")
{
    Options = { CliOptions.Data, CliOptions.Json, CliOptions.Verbose },
    Subcommands =
    {
        IngestCommand.Create(),
        EnrichCommand.Create(),
        ListCommand.Create(),
        ShowCommand.Create(),
        DeleteCommand.Create(),
        TokenizeCommand.Create(),
        AskCommand.Create(),
        AskCommand.CreateSimilar(),
        StatsCommand.Create(),
        ModelsCommand.Create(),
        ServeCommand.Create(),
    },
};

return await root.Parse(args).InvokeAsync();
