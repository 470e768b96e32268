using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Tsunami.Server.Tests;

/// <summary>Open Inference Protocol requests and responses as a client writes and reads them.</summary>
internal static class Protocol
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static string FloatRequest(string input, long[] shape, float[] data, string? id = null, string extra = "") =>
        $$"""{ {{(id is null ? "" : $"\"id\": \"{id}\",")}} "inputs": [ { "name": "{{input}}", "datatype": "FP32", "shape": [{{string.Join(',', shape)}}], "data": [{{string.Join(',', data.Select(f => f.ToString("R", CultureInfo.InvariantCulture)))}}] } ] {{extra}} }""";

    public static async Task<JsonElement> JsonOf(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static float[] Floats(JsonElement output) => output.GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();

    public static async Task<float[]> InferAsync(HttpClient client, string model, float[] x, long[] shape)
    {
        using var response = await client.PostAsync($"/v2/models/{model}/infer", Json(FloatRequest("x", shape, x)));
        var body = await JsonOf(response);
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return Floats(body.GetProperty("outputs")[0]);
    }

    /// <summary>A request in the binary tensor extension: JSON header, then the raw tensor.</summary>
    public static ByteArrayContent Binary(string headerJson, byte[] tensor)
    {
        var header = Encoding.UTF8.GetBytes(headerJson);
        var content = new ByteArrayContent([.. header, .. tensor]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", header.Length.ToString(CultureInfo.InvariantCulture));
        return content;
    }

    /// <summary>The value of a Prometheus sample of the given metric for one model, 0 when absent.</summary>
    public static async Task<double> MetricAsync(HttpClient client, string metric, string model)
    {
        var text = await client.GetStringAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(metric + "{", StringComparison.Ordinal) && l.Contains($"model=\"{model}\"", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }
}
