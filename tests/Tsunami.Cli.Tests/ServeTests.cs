using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Tsunami.Cli.Tests;

/// <summary>`tsunami serve` as a child process, driven by `tsunami models ...` as an operator would.</summary>
public sealed class ServeTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private Process _server = null!;
    private string _url = "";

    private string Data => _temp.Combine("data");

    public async Task InitializeAsync()
    {
        var port = FreePort();
        _url = $"http://127.0.0.1:{port}";
        _server = Process.Start(Cli.StartInfo(Data, ["serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--grpc-port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
        // Drain the server's output so that a full pipe never blocks it.
        _ = _server.StandardOutput.ReadToEndAsync();
        var errors = _server.StandardError.ReadToEndAsync();
        using var http = new HttpClient();
        for (var attempt = 0; attempt < 600; attempt++)
        {
            try
            {
                if ((await http.GetAsync($"{_url}/v2/health/ready")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (_server.HasExited)
            {
                Assert.Fail("the server exited: " + await errors);
            }
            await Task.Delay(100);
        }
        Assert.Fail("the server did not become ready within a minute");
    }

    [Fact]
    public async Task Models_are_listed_unloaded_reloaded_and_described_on_a_running_server()
    {
        var list = await Cli.RunAsync(Data, "models", "list", "--url", _url, "--json");
        Assert.Equal(0, list.ExitCode);
        Assert.Equal(["mobilenetv2", "ppocr-cls", "ppocr-det", "ppocr-rec", "yolox-nano", "yunet"], list.Json.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
        Assert.All(list.Json.GetProperty("models").EnumerateArray(), m => Assert.Equal("READY", m.GetProperty("state").GetString()));

        Assert.Equal(0, (await Cli.RunAsync(Data, "models", "unload", "yolox-nano", "--url", _url)).ExitCode);
        var afterUnload = await Cli.RunAsync(Data, "models", "list", "--url", _url, "--json");
        var yolox = afterUnload.Json.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "yolox-nano");
        Assert.Equal(("UNAVAILABLE", "not loaded"), (yolox.GetProperty("state").GetString(), yolox.GetProperty("reason").GetString()));

        var load = await Cli.RunAsync(Data, "models", "load", "yolox-nano", "--url", _url);
        Assert.Equal((0, "yolox-nano: loaded"), (load.ExitCode, load.Stdout.Trim()));

        var describe = await Cli.RunAsync(Data, "models", "describe", "mobilenetv2", "--url", _url, "--json");
        Assert.Equal(0, describe.ExitCode);
        Assert.Equal([-1, 3, 224, 224], describe.Json.GetProperty("metadata").GetProperty("inputs")[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal(32, describe.Json.GetProperty("config").GetProperty("max_batch_size").GetInt32());
    }

    [Fact]
    public async Task Without_a_server_list_and_describe_read_the_local_repository()
    {
        var list = await Cli.RunAsync(Data, "models", "list", "--json");
        Assert.Equal(0, list.ExitCode);
        Assert.All(list.Json.GetProperty("models").EnumerateArray(), m => Assert.Equal(("AVAILABLE", "built-in"), (m.GetProperty("state").GetString(), m.GetProperty("reason").GetString())));

        var describe = await Cli.RunAsync(Data, "models", "describe", "ppocr-rec", "--json");
        Assert.Equal(0, describe.ExitCode);
        var input = describe.Json.GetProperty("metadata").GetProperty("inputs")[0];
        Assert.Equal("x", input.GetProperty("name").GetString());
        Assert.Equal([-1, 3, 48, -1], input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
    }

    [Fact]
    public async Task Load_errors_name_the_model_or_the_missing_server()
    {
        var unknown = await Cli.RunAsync(Data, "models", "load", "nope", "--url", _url);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("404 no model named 'nope'", unknown.Stderr, StringComparison.Ordinal);

        var nobody = await Cli.RunAsync(Data, "models", "load", "yolox-nano", "--url", $"http://127.0.0.1:{FreePort()}");
        Assert.Equal(1, nobody.ExitCode);
        Assert.Contains("no Tsunami server answers at", nobody.Stderr, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public Task DisposeAsync()
    {
        _server.Kill(entireProcessTree: true);
        _server.WaitForExit();
        _server.Dispose();
        _temp.Dispose();
        return Task.CompletedTask;
    }
}
