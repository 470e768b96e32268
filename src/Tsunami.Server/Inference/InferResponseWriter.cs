using System.Text.Json;
using Tsunami.Serving.Runtime;
using Tsunami.Serving.Tensors;

namespace Tsunami.Server.Inference;

/// <summary>Writes an inference response as JSON, or as a JSON header followed by the outputs asked for in binary.</summary>
internal static class InferResponseWriter
{
    public static async Task WriteAsync(HttpResponse http, InferResponse response, bool allBinary, IReadOnlySet<string> binaryNames, CancellationToken cancellationToken)
    {
        var binary = new List<ReadOnlyMemory<byte>>();
        using var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            json.WriteString("model_name", response.ModelName);
            json.WriteString("model_version", response.ModelVersion);
            if (response.Id is { } id)
            {
                json.WriteString("id", id);
            }
            json.WriteStartArray("outputs");
            foreach (var output in response.Outputs)
            {
                json.WriteStartObject();
                json.WriteString("name", output.Name);
                json.WriteString("datatype", output.DataType);
                json.WriteStartArray("shape");
                foreach (var d in output.Shape)
                {
                    json.WriteNumberValue(d);
                }
                json.WriteEndArray();
                if (allBinary || binaryNames.Contains(output.Name))
                {
                    json.WriteStartObject("parameters");
                    json.WriteNumber("binary_data_size", output.Data.Length);
                    json.WriteEndObject();
                    binary.Add(output.Data);
                }
                else
                {
                    json.WritePropertyName("data");
                    TensorJson.Write(json, output.Data.Span, output.DataType);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        if (binary.Count == 0)
        {
            http.ContentType = "application/json";
            http.ContentLength = header.Length;
            await http.Body.WriteAsync(header.GetBuffer().AsMemory(0, (int)header.Length), cancellationToken);
            return;
        }
        http.ContentType = "application/octet-stream";
        http.Headers[InferRequestReader.HeaderLength] = header.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.ContentLength = header.Length + binary.Sum(b => (long)b.Length);
        await http.Body.WriteAsync(header.GetBuffer().AsMemory(0, (int)header.Length), cancellationToken);
        foreach (var data in binary)
        {
            await http.Body.WriteAsync(data, cancellationToken);
        }
    }
}
