using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Tsunami.Vectors;

/// <summary>
/// The dot product of two rows, the inner loop of every search. Whole SIMD vectors with two accumulators, then the
/// remainder as one more full-width load ending at the last element with the lanes already summed masked off, so
/// there is no scalar tail (100-d GloVe: six 16-lane steps and one masked one). TensorPrimitives.Dot does the same
/// work but pays a call and a length dispatch per row, which shows at 400-byte rows.
/// </summary>
internal static class DotKernel
{
    // 16 zero masks then 16 all-ones: the 16 lanes starting at offset r keep exactly the last r lanes.
    private static ReadOnlySpan<uint> TailMasks =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u,
    ];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var n = a.Length;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            return Dot512(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), n);
        }
        if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            return Dot256(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), n);
        }
        var sum = 0f;
        for (var i = 0; i < n; i++)
        {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static float Dot512(ref float a, ref float b, int n)
    {
        const int width = 16;
        var acc0 = Vector512<float>.Zero;
        var acc1 = Vector512<float>.Zero;
        var i = 0;
        for (; i <= n - (2 * width); i += 2 * width)
        {
            acc0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref a, (nuint)i), Vector512.LoadUnsafe(ref b, (nuint)i), acc0);
            acc1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref a, (nuint)(i + width)), Vector512.LoadUnsafe(ref b, (nuint)(i + width)), acc1);
        }
        if (i <= n - width)
        {
            acc0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref a, (nuint)i), Vector512.LoadUnsafe(ref b, (nuint)i), acc0);
            i += width;
        }
        if (i < n)
        {
            var last = (nuint)(n - width);
            var mask = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(TailMasks), (nuint)(n - i)).AsSingle();
            acc1 += Vector512.LoadUnsafe(ref a, last) * Vector512.LoadUnsafe(ref b, last) & mask;
        }
        return Vector512.Sum(acc0 + acc1);
    }

    private static float Dot256(ref float a, ref float b, int n)
    {
        const int width = 8;
        var acc0 = Vector256<float>.Zero;
        var acc1 = Vector256<float>.Zero;
        var i = 0;
        for (; i <= n - (2 * width); i += 2 * width)
        {
            acc0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, (nuint)i), Vector256.LoadUnsafe(ref b, (nuint)i), acc0);
            acc1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, (nuint)(i + width)), Vector256.LoadUnsafe(ref b, (nuint)(i + width)), acc1);
        }
        if (i <= n - width)
        {
            acc0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, (nuint)i), Vector256.LoadUnsafe(ref b, (nuint)i), acc0);
            i += width;
        }
        if (i < n)
        {
            var last = (nuint)(n - width);
            var mask = Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(TailMasks), (nuint)(16 - width + n - i)).AsSingle();
            acc1 += Vector256.LoadUnsafe(ref a, last) * Vector256.LoadUnsafe(ref b, last) & mask;
        }
        return Vector256.Sum(acc0 + acc1);
    }

    /// <summary>Asks the CPU to bring <paramref name="bytes"/> bytes at <paramref name="start"/> into cache before they are read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prefetch(ref byte start, int bytes)
    {
        if (!Sse.IsSupported)
        {
            return;
        }
        var first = (byte*)Unsafe.AsPointer(ref start);
        for (var line = 0; line < bytes; line += 64)
        {
            Sse.Prefetch0(first + line);
        }
        Sse.Prefetch0(first + bytes - 1);
    }
}
