using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Tsunami.Vectors;

/// <summary>
/// Scalar quantisation to int8 with one scale per vector (code = round(v / max|v| · 127)). Each row is its codes,
/// then its scale and the sum of its codes, side by side so one search touches two cache lines a vector (108 B at
/// 100-d: 0.27× float32). Distances from codes are approximate; the index re-scores its best candidates on float32.
/// </summary>
internal sealed class Int8Codes(int dimensions)
{
    private const int Offset = 128;
    private readonly int _stride = dimensions + sizeof(float) + sizeof(int);
    private byte[] _rows = new byte[(dimensions + 8) * 1024];

    public int Dimensions { get; } = dimensions;

    /// <summary>Bytes per vector: the codes, the scale and the code sum.</summary>
    public int BytesPerVector => _stride;

    /// <summary>Rows that fit before <see cref="Write"/> must grow the array.</summary>
    public int Capacity => _rows.Length / _stride;

    public void Reserve(int rows)
    {
        if (rows * _stride > _rows.Length)
        {
            Array.Resize(ref _rows, Math.Max(_rows.Length * 2, rows * _stride));
        }
    }

    public void Write(int row, ReadOnlySpan<float> vector)
    {
        Reserve(row + 1);
        var target = _rows.AsSpan(row * _stride, _stride);
        var codes = MemoryMarshal.Cast<byte, sbyte>(target[..Dimensions]);
        var scale = Encode(vector, codes);
        var sum = 0;
        foreach (var code in codes)
        {
            sum += code;
        }
        MemoryMarshal.Write(target[Dimensions..], scale);
        MemoryMarshal.Write(target[(Dimensions + sizeof(float))..], sum);
    }

    /// <summary>Codes a query the same way; returns its scale.</summary>
    public static float Encode(ReadOnlySpan<float> vector, Span<sbyte> codes)
    {
        var largest = MathF.Abs(TensorPrimitives.MaxMagnitude(vector));
        var scale = largest > 0 ? largest / 127f : 1f;
        // Vectorised (opening a 1M-vector index codes every row): scale, round to even, clamp, then an exact conversion.
        var scaled = vector.Length <= 1024 ? stackalloc float[vector.Length] : new float[vector.Length];
        TensorPrimitives.Multiply(vector, 1 / scale, scaled);
        TensorPrimitives.Round(scaled, scaled);
        TensorPrimitives.Min(scaled, 127f, scaled);
        TensorPrimitives.Max(scaled, -127f, scaled);
        TensorPrimitives.ConvertTruncating(scaled, codes);
        return scale;
    }

    /// <summary>A query coded for these rows: its codes, and, where the CPU has VNNI, the layout its kernel reads.</summary>
    public Coded Prepare(ReadOnlySpan<float> query)
    {
        var codes = new sbyte[Dimensions];
        var scale = Encode(query, codes);
        return new Coded(codes, scale, AvxVnni.IsSupported && Dimensions >= Vector256<byte>.Count ? Pack(codes) : null);
    }

    /// <summary>
    /// VNNI multiplies unsigned by signed bytes, so the query is shifted by +128 (Σ(q+128)x − 128Σx = Σqx) and laid
    /// out in 32-byte chunks: the whole ones, then the last 32 codes once more with the lanes already counted zeroed,
    /// so the kernel has no scalar tail.
    /// </summary>
    private static byte[] Pack(sbyte[] codes)
    {
        const int width = 32;
        var whole = codes.Length / width;
        var tail = codes.Length % width;
        var packed = new byte[(whole + (tail > 0 ? 1 : 0)) * width];
        for (var i = 0; i < whole * width; i++)
        {
            packed[i] = (byte)(codes[i] + Offset);
        }
        for (var lane = width - tail; lane < width && tail > 0; lane++)
        {
            packed[(whole * width) + lane] = (byte)(codes[codes.Length - width + lane] + Offset);
        }
        return packed;
    }

    /// <summary>The approximate dot product of a stored vector with a coded query.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Dot(int row, Coded query)
    {
        var stored = _rows.AsSpan(row * _stride, _stride);
        var scale = MemoryMarshal.Read<float>(stored[Dimensions..]);
        var dot = query.Packed is { } packed
            ? DotVnni(stored, packed, Dimensions, MemoryMarshal.Read<int>(stored[(Dimensions + sizeof(float))..]))
            : DotProduct(MemoryMarshal.Cast<byte, sbyte>(stored[..Dimensions]), query.Codes);
        return dot * scale * query.Scale;
    }

    public void Prefetch(int row) => DotKernel.Prefetch(ref _rows[row * _stride], _stride);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int DotVnni(ReadOnlySpan<byte> row, byte[] packed, int dimensions, int rowSum)
    {
        const int width = 32;
        ref var codes = ref MemoryMarshal.GetReference(row);
        ref var query = ref MemoryMarshal.GetArrayDataReference(packed);
        var whole = dimensions / width * width;
        var total = Vector256<int>.Zero;
        for (var i = 0; i < whole; i += width)
        {
            total = AvxVnni.MultiplyWideningAndAdd(total, Vector256.LoadUnsafe(ref query, (nuint)i), Vector256.LoadUnsafe(ref codes, (nuint)i).AsSByte());
        }
        if (whole < dimensions)
        {
            total = AvxVnni.MultiplyWideningAndAdd(total, Vector256.LoadUnsafe(ref query, (nuint)whole), Vector256.LoadUnsafe(ref codes, (nuint)(dimensions - width)).AsSByte());
        }
        return Vector256.Sum(total) - (Offset * rowSum);
    }

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

    /// <summary>A query's codes and scale, and its VNNI layout when the kernel can use it.</summary>
    internal sealed record Coded(sbyte[] Codes, float Scale, byte[]? Packed);
}
