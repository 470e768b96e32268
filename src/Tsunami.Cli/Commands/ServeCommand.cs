using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Tsunami.Server;

namespace Tsunami.Cli.Commands;

internal static class ServeCommand
{
    private static readonly Option<string> Host = new("--host") { Description = "Address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
    private static readonly Option<int> Port = new("--port") { Description = "Port of the REST API (HTTP/1.1)", DefaultValueFactory = _ => 8000 };
    private static readonly Option<int> GrpcPort = new("--grpc-port") { Description = "Port of the gRPC inference service (HTTP/2); 0: none", DefaultValueFactory = _ => 8001 };

    public static Command Create()
    {
        var command = new Command("serve", "Serve the models over the Open Inference Protocol (KServe v2), with health and Prometheus metrics") { Host, Port, GrpcPort };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var data = parse.GetValue(CliOptions.Data) is { Length: > 0 } d ? d : null;
            var grpcPort = parse.GetValue(GrpcPort);
            var settings = new ServerSettings(parse.GetValue(Host)!, parse.GetValue(Port), grpcPort == 0 ? null : grpcPort, data);
            try
            {
                await using var app = TsunamiServer.Build(settings);
                await app.StartAsync(cancellationToken);
                await app.WaitForShutdownAsync(cancellationToken);
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or InvalidOperationException or Microsoft.Extensions.Options.OptionsValidationException)
            {
                await Console.Error.WriteLineAsync($"error: cannot serve on {settings.Url}: {e.Message}");
                return CliAction.Failed;
            }
        });
        return command;
    }
}
