using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Tsunami.Vectors;

/// <summary>
/// Scalar quantisation to int8 with one scale per vector (code = round(v / max|v| · 127)): a quarter of float32's
/// bytes plus four, and a dot product on integers. Distances from codes are approximate; the index re-scores its
/// best candidates on float32.
/// </summary>
internal sealed class Int8Codes(int dimensions)
{
    private sbyte[] _codes = new sbyte[dimensions * 1024];
    private float[] _scales = new float[1024];

    public int Dimensions { get; } = dimensions;

    /// <summary>Bytes per vector: the codes and the scale.</summary>
    public int BytesPerVector => Dimensions + sizeof(float);

    public void Write(int row, ReadOnlySpan<float> vector)
    {
        if ((row + 1) * Dimensions > _codes.Length)
        {
            Array.Resize(ref _codes, Math.Max(_codes.Length * 2, (row + 1) * Dimensions));
            Array.Resize(ref _scales, Math.Max(_scales.Length * 2, row + 1));
        }
        _scales[row] = Encode(vector, _codes.AsSpan(row * Dimensions, Dimensions));
    }

    /// <summary>Codes a query the same way; returns its scale.</summary>
    public static float Encode(ReadOnlySpan<float> vector, Span<sbyte> codes)
    {
        var largest = MathF.Abs(TensorPrimitives.MaxMagnitude(vector));
        var scale = largest > 0 ? largest / 127f : 1f;
        for (var i = 0; i < vector.Length; i++)
        {
            codes[i] = (sbyte)Math.Clamp(MathF.Round(vector[i] / scale), -127, 127);
        }
        return scale;
    }

    /// <summary>The approximate dot product of a stored vector with a coded query.</summary>
    public float Dot(int row, ReadOnlySpan<sbyte> query, float queryScale) =>
        DotProduct(_codes.AsSpan(row * Dimensions, Dimensions), query) * _scales[row] * queryScale;

    public void Prefetch(int row) =>
        DotKernel.Prefetch(ref Unsafe.As<sbyte, byte>(ref _codes[row * Dimensions]), Dimensions);

    /// <summary>Σ aᵢbᵢ over int8, widened to 16 then 32 bits (127² fits 16 bits); scalar where SIMD is off.</summary>
    internal static int DotProduct(ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b)
    {
        var sum = 0;
        var i = 0;
        if (Vector256.IsHardwareAccelerated && a.Length >= Vector256<sbyte>.Count)
        {
            var total = Vector256<int>.Zero;
            for (; i <= a.Length - Vector256<sbyte>.Count; i += Vector256<sbyte>.Count)
            {
                var (aLow, aHigh) = Vector256.Widen(Vector256.Create(a.Slice(i, Vector256<sbyte>.Count)));
                var (bLow, bHigh) = Vector256.Widen(Vector256.Create(b.Slice(i, Vector256<sbyte>.Count)));
                var (p0, p1) = Vector256.Widen(aLow * bLow);
                var (p2, p3) = Vector256.Widen(aHigh * bHigh);
                total += (p0 + p1) + (p2 + p3);
            }
            sum = Vector256.Sum(total);
        }
        for (; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
