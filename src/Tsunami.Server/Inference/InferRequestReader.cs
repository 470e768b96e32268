using System.Text.Json;
using Tsunami.Serving;
using Tsunami.Serving.Runtime;
using Tsunami.Serving.Tensors;

namespace Tsunami.Server.Inference;

/// <summary>
/// Reads an inference request: JSON, or with the binary tensor extension a JSON header of
/// Inference-Header-Content-Length bytes followed by the raw tensors whose inputs name parameters.binary_data_size.
/// Every field is checked, and a wrong one is named.
/// </summary>
internal static class InferRequestReader
{
    public const string HeaderLength = "Inference-Header-Content-Length";

    public sealed record Parsed(InferRequest Request, bool BinaryOutputs, IReadOnlySet<string> BinaryOutputNames);

    public static Parsed Read(byte[] body, long? headerLength)
    {
        var jsonLength = headerLength ?? body.Length;
        if (jsonLength < 0 || jsonLength > body.Length)
        {
            throw Bad($"{HeaderLength} is {headerLength}, but the body has {body.Length} bytes");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.AsMemory(0, (int)jsonLength));
        }
        catch (JsonException e)
        {
            throw Bad($"malformed JSON in the request body: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Bad("the request body must be a JSON object");
            }
            var id = Optional(root, "id", JsonValueKind.String, "id")?.GetString();
            var parameters = Optional(root, "parameters", JsonValueKind.Object, "parameters");
            var binaryOutputs = parameters is { } p && Flag(p, "binary_data_output", "parameters.binary_data_output");
            TimeSpan? timeout = null;
            if (parameters is { } q && q.TryGetProperty("timeout", out var t))
            {
                timeout = t.TryGetInt64(out var microseconds) && microseconds > 0
                    ? TimeSpan.FromMicroseconds(microseconds)
                    : throw Bad("parameters.timeout must be a positive number of microseconds");
            }

            if (!root.TryGetProperty("inputs", out var inputsElement) || inputsElement.ValueKind != JsonValueKind.Array)
            {
                throw Bad("'inputs' is required and must be an array");
            }
            ReadOnlyMemory<byte> binary = body.AsMemory((int)jsonLength);
            var inputs = new List<InferTensor>();
            var index = 0;
            foreach (var input in inputsElement.EnumerateArray())
            {
                inputs.Add(ReadInput(input, index++, ref binary));
            }
            if (binary.Length > 0)
            {
                throw Bad($"the body has {binary.Length} bytes after the tensors its inputs' binary_data_size account for");
            }

            List<string>? outputs = null;
            var binaryNames = new HashSet<string>(StringComparer.Ordinal);
            if (Optional(root, "outputs", JsonValueKind.Array, "outputs") is { } outputsElement)
            {
                outputs = [];
                var o = 0;
                foreach (var output in outputsElement.EnumerateArray())
                {
                    var field = $"outputs[{o++}]";
                    var name = Required(output, "name", JsonValueKind.String, field).GetString()!;
                    outputs.Add(name);
                    if (Optional(output, "parameters", JsonValueKind.Object, $"output '{name}': parameters") is { } op &&
                        Flag(op, "binary_data", $"output '{name}': parameters.binary_data"))
                    {
                        binaryNames.Add(name);
                    }
                }
            }
            return new Parsed(new InferRequest(id, inputs, outputs, timeout), binaryOutputs, binaryNames);
        }
    }

    private static InferTensor ReadInput(JsonElement input, int index, ref ReadOnlyMemory<byte> binary)
    {
        if (input.ValueKind != JsonValueKind.Object)
        {
            throw Bad($"inputs[{index}] must be an object");
        }
        var name = Required(input, "name", JsonValueKind.String, $"inputs[{index}]").GetString()!;
        var field = $"input '{name}'";
        var datatype = Required(input, "datatype", JsonValueKind.String, field).GetString()!;
        if (!DataType.IsKnown(datatype))
        {
            throw Bad($"{field}: datatype '{datatype}' is not one of {string.Join(", ", DataType.Names)}");
        }
        var shapeElement = Required(input, "shape", JsonValueKind.Array, field);
        var shape = new List<long>();
        foreach (var dim in shapeElement.EnumerateArray())
        {
            shape.Add(dim.ValueKind == JsonValueKind.Number && dim.TryGetInt64(out var d) && d >= 0
                ? d
                : throw Bad($"{field}: 'shape' must be an array of non-negative integers"));
        }
        var elements = shape.Aggregate(1.0, (a, b) => a * b);
        if (elements * DataType.Size(datatype) > int.MaxValue)
        {
            throw Bad($"{field}: shape {InferTensor.Format(shape)} is too large");
        }
        ReadOnlyMemory<byte> data;
        if (Optional(input, "parameters", JsonValueKind.Object, $"{field}: parameters") is { } parameters &&
            parameters.TryGetProperty("binary_data_size", out var sizeElement))
        {
            if (!sizeElement.TryGetInt64(out var size) || size < 0)
            {
                throw Bad($"{field}: parameters.binary_data_size must be a non-negative integer");
            }
            if (size > binary.Length)
            {
                throw Bad($"{field}: binary_data_size is {size}, but only {binary.Length} bytes of binary data remain in the body");
            }
            data = binary[..(int)size];
            binary = binary[(int)size..];
        }
        else
        {
            if (!input.TryGetProperty("data", out var dataElement))
            {
                throw Bad($"{field}: 'data' is required (or parameters.binary_data_size with the binary tensor extension)");
            }
            data = TensorJson.Read(dataElement, datatype, (long)elements, field);
        }
        return new InferTensor(name, datatype, [.. shape], data);
    }

    private static JsonElement Required(JsonElement parent, string property, JsonValueKind kind, string field) =>
        Optional(parent, property, kind, field) ?? throw Bad($"{field}: '{property}' is required");

    private static JsonElement? Optional(JsonElement parent, string property, JsonValueKind kind, string field)
    {
        if (!parent.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != kind)
        {
            var name = field.EndsWith(property, StringComparison.Ordinal) ? field : $"{field}: '{property}'";
            throw Bad($"{name} must be {(kind == JsonValueKind.Array ? "an array" : $"a {kind.ToString().ToLowerInvariant()}")}, not {value.ValueKind.ToString().ToLowerInvariant()}");
        }
        return value;
    }

    private static bool Flag(JsonElement parameters, string property, string field) =>
        parameters.TryGetProperty(property, out var value) && (value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Bad($"{field} must be true or false"),
        });

    private static InferenceException Bad(string message) => new(InferenceError.BadRequest, message);
}
