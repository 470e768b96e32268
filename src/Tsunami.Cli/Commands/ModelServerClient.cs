using System.Net.Http.Json;
using System.Text.Json;

namespace Tsunami.Cli.Commands;

/// <summary>Talks to a running Tsunami server's model repository endpoints; every failure becomes one clear line.</summary>
internal sealed class ModelServerClient(string url) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(url.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(5) };

    public Task<JsonElement> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, path, cancellationToken);

    public Task<JsonElement> PostAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Post, path, cancellationToken);

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(new HttpRequestMessage(method, path), cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new IOException($"no Tsunami server answers at {_http.BaseAddress} ({e.Message}); start one with ./tsunami.sh serve", e);
        }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var json = body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
            if (!response.IsSuccessStatusCode)
            {
                var message = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("error", out var error) ? error.GetString() : body;
                throw new InvalidDataException($"the server refused {method} {path}: {(int)response.StatusCode} {message}");
            }
            return json;
        }
    }

    public void Dispose() => _http.Dispose();
}
