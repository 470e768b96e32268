using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Tsunami.Server.Tests;

/// <summary>A real Kestrel server on free loopback ports (REST and gRPC), built exactly as `tsunami serve` builds it.</summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackServer(WebApplication app, Uri address, Uri grpcAddress)
    {
        _app = app;
        GrpcAddress = grpcAddress;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public Uri GrpcAddress { get; }

    public static async Task<LoopbackServer> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var grpcPort = FreePort();
        var app = TsunamiServer.Build(new ServerSettings(Port: 0, GrpcPort: grpcPort), [.. settings.Select(s => $"--{s.Key}={s.Value}")]);
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        return new LoopbackServer(app, addresses.First(a => a.Port != grpcPort), addresses.First(a => a.Port == grpcPort));
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
