using System.Buffers.Binary;
using System.Text.Json;

namespace Tsunami.Serving.Tensors;

/// <summary>
/// Tensor elements to and from the protocol's JSON "data": a row-major array, flat or nested, of numbers (or
/// booleans). A value that does not fit its data type is refused with the element's index.
/// </summary>
public static class TensorJson
{
    public static byte[] Read(JsonElement data, string dataType, long elements, string field)
    {
        if (data.ValueKind != JsonValueKind.Array)
        {
            throw new InferenceException(InferenceError.BadRequest, $"{field}: 'data' must be an array, not {data.ValueKind.ToString().ToLowerInvariant()}");
        }
        var size = DataType.Size(dataType);
        var bytes = new byte[elements * size];
        long index = 0;
        foreach (var value in Flatten(data))
        {
            if (index >= elements)
            {
                throw new InferenceException(InferenceError.BadRequest, $"{field}: 'data' has more than the {elements} elements its shape holds");
            }
            if (!TryWrite(value, dataType, bytes.AsSpan((int)(index * size), size)))
            {
                throw new InferenceException(InferenceError.BadRequest, $"{field}: element {index} ({Describe(value)}) is not a valid {dataType} value");
            }
            index++;
        }
        if (index != elements)
        {
            throw new InferenceException(InferenceError.BadRequest, $"{field}: shape needs {elements} elements, 'data' has {index}");
        }
        return bytes;
    }

    public static void Write(Utf8JsonWriter writer, ReadOnlySpan<byte> bytes, string dataType)
    {
        var size = DataType.Size(dataType);
        writer.WriteStartArray();
        for (var offset = 0; offset + size <= bytes.Length; offset += size)
        {
            var e = bytes.Slice(offset, size);
            switch (dataType)
            {
                case "BOOL": writer.WriteBooleanValue(e[0] != 0); break;
                case "UINT8": writer.WriteNumberValue(e[0]); break;
                case "INT8": writer.WriteNumberValue((sbyte)e[0]); break;
                case "UINT16": writer.WriteNumberValue(BinaryPrimitives.ReadUInt16LittleEndian(e)); break;
                case "INT16": writer.WriteNumberValue(BinaryPrimitives.ReadInt16LittleEndian(e)); break;
                case "UINT32": writer.WriteNumberValue(BinaryPrimitives.ReadUInt32LittleEndian(e)); break;
                case "INT32": writer.WriteNumberValue(BinaryPrimitives.ReadInt32LittleEndian(e)); break;
                case "UINT64": writer.WriteNumberValue(BinaryPrimitives.ReadUInt64LittleEndian(e)); break;
                case "INT64": writer.WriteNumberValue(BinaryPrimitives.ReadInt64LittleEndian(e)); break;
                case "FP16": WriteFloat(writer, (float)BinaryPrimitives.ReadHalfLittleEndian(e)); break;
                case "BF16": WriteFloat(writer, BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(e) << 16)); break;
                case "FP32": WriteFloat(writer, BinaryPrimitives.ReadSingleLittleEndian(e)); break;
                case "FP64": WriteDouble(writer, BinaryPrimitives.ReadDoubleLittleEndian(e)); break;
                default: throw new NotSupportedException(dataType);
            }
        }
        writer.WriteEndArray();
    }

    private static IEnumerable<JsonElement> Flatten(JsonElement array)
    {
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Array)
            {
                foreach (var inner in Flatten(item))
                {
                    yield return inner;
                }
            }
            else
            {
                yield return item;
            }
        }
    }

    private static bool TryWrite(JsonElement value, string dataType, Span<byte> target)
    {
        if (dataType == "BOOL")
        {
            if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return false;
            }
            target[0] = value.ValueKind == JsonValueKind.True ? (byte)1 : (byte)0;
            return true;
        }
        if (value.ValueKind != JsonValueKind.Number)
        {
            return false;
        }
        switch (dataType)
        {
            case "FP32" when value.TryGetDouble(out var d):
                BinaryPrimitives.WriteSingleLittleEndian(target, (float)d);
                return float.IsFinite((float)d);
            case "FP64" when value.TryGetDouble(out var d):
                BinaryPrimitives.WriteDoubleLittleEndian(target, d);
                return true;
            case "FP16" when value.TryGetDouble(out var d):
                BinaryPrimitives.WriteHalfLittleEndian(target, (Half)d);
                return Half.IsFinite((Half)d);
            case "BF16" when value.TryGetSingle(out var f):
                // Round to nearest even on the 16 bits dropped.
                var bits = BitConverter.SingleToUInt32Bits(f);
                BinaryPrimitives.WriteUInt16LittleEndian(target, (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16));
                return float.IsFinite(f);
            case "UINT8" when value.TryGetByte(out var v): target[0] = v; return true;
            case "INT8" when value.TryGetSByte(out var v): target[0] = (byte)v; return true;
            case "UINT16" when value.TryGetUInt16(out var v): BinaryPrimitives.WriteUInt16LittleEndian(target, v); return true;
            case "INT16" when value.TryGetInt16(out var v): BinaryPrimitives.WriteInt16LittleEndian(target, v); return true;
            case "UINT32" when value.TryGetUInt32(out var v): BinaryPrimitives.WriteUInt32LittleEndian(target, v); return true;
            case "INT32" when value.TryGetInt32(out var v): BinaryPrimitives.WriteInt32LittleEndian(target, v); return true;
            case "UINT64" when value.TryGetUInt64(out var v): BinaryPrimitives.WriteUInt64LittleEndian(target, v); return true;
            case "INT64" when value.TryGetInt64(out var v): BinaryPrimitives.WriteInt64LittleEndian(target, v); return true;
            default: return false;
        }
    }

    private static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static string Describe(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length > 32 ? text[..32] + "…" : text;
    }
}
