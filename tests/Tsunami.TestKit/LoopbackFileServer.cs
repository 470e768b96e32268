using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Tsunami.TestKit;

/// <summary>
/// A real HTTP server on 127.0.0.1 that serves fixed bytes per path (honouring "Range: bytes=N-" with 206) and 404
/// for the rest, and records each request as "path" or "path range".
/// </summary>
public sealed class LoopbackFileServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public LoopbackFileServer(Dictionary<string, byte[]> files)
    {
        Files = new ConcurrentDictionary<string, byte[]>(files, StringComparer.Ordinal);
        var port = FreePort();
        BaseAddress = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(BaseAddress);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string BaseAddress { get; }

    /// <summary>Path (with its leading '/') → bytes; may change while serving.</summary>
    public ConcurrentDictionary<string, byte[]> Files { get; }

    public ConcurrentQueue<string> Requests { get; } = new();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            var path = context.Request.Url!.AbsolutePath;
            var range = context.Request.Headers["Range"];
            Requests.Enqueue(range is null ? path : $"{path} {range}");
            using var response = context.Response;
            if (!Files.TryGetValue(Uri.UnescapeDataString(path), out var body))
            {
                response.StatusCode = 404;
                continue;
            }
            var from = range is not null && range.StartsWith("bytes=", StringComparison.Ordinal)
                ? int.Parse(range[6..].TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture)
                : 0;
            if (from > 0)
            {
                response.StatusCode = 206;
                response.Headers["Content-Range"] = $"bytes {from}-{body.Length - 1}/{body.Length}";
            }
            response.ContentLength64 = body.Length - from;
            await response.OutputStream.WriteAsync(body.AsMemory(from));
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
