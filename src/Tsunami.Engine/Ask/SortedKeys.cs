namespace Tsunami.Engine.Ask;

/// <summary>Set operations on ascending arrays of asset keys, by merging: postings arrive sorted.</summary>
internal static class SortedKeys
{
    public static long[] Intersect(long[] a, long[] b)
    {
        var result = new List<long>(Math.Min(a.Length, b.Length));
        for (int i = 0, j = 0; i < a.Length && j < b.Length;)
        {
            if (a[i] == b[j])
            {
                result.Add(a[i]);
                i++;
                j++;
            }
            else if (a[i] < b[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }
        return [.. result];
    }

    public static long[] Except(long[] a, long[] b)
    {
        var result = new List<long>(a.Length);
        var j = 0;
        foreach (var key in a)
        {
            while (j < b.Length && b[j] < key)
            {
                j++;
            }
            if (j >= b.Length || b[j] != key)
            {
                result.Add(key);
            }
        }
        return [.. result];
    }

    public static long[] Union(IEnumerable<long[]> sets)
    {
        var all = sets.SelectMany(s => s).ToArray();
        Array.Sort(all);
        var result = new List<long>(all.Length);
        foreach (var key in all)
        {
            if (result.Count == 0 || result[^1] != key)
            {
                result.Add(key);
            }
        }
        return [.. result];
    }
}
