namespace Tsunami.Vectors;

/// <summary>
/// The rows one query's scan may still return, from intervals that hold their exact distances: a row stays while the
/// lower end of its interval is within the k-th smallest upper end among the rows the query may return.
/// </summary>
internal sealed class Screening(int k, Func<int, bool>? admitted)
{
    private const int PruneAbove = 4096;
    private readonly DistanceHeap _uppers = new(k, largestFirst: true);
    private readonly List<(int Row, float Lower)> _rows = [];
    private int _pruneAt = PruneAbove;

    /// <summary>The k-th smallest upper end so far: no row whose distance is surely above it can be among the k nearest.</summary>
    public float Threshold { get; private set; } = float.PositiveInfinity;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)] // rare: kept out of the scan loops
    public void Consider(int row, float lower, float upper)
    {
        if (lower > Threshold || (admitted is not null && !admitted(row)))
        {
            return;
        }
        _rows.Add((row, lower));
        if (_uppers.Count < k)
        {
            _uppers.Push(row, upper);
        }
        else if (upper < _uppers.TopDistance)
        {
            _uppers.ReplaceTop(row, upper);
        }
        if (_uppers.Count == k)
        {
            Threshold = _uppers.TopDistance;
        }
        if (_rows.Count > _pruneAt)
        {
            _rows.RemoveAll(r => r.Lower > Threshold);
            _pruneAt = Math.Max(PruneAbove, 2 * _rows.Count); // ties can keep many: no pruning on every row then
        }
    }

    /// <summary>The rows left, in the order they were considered.</summary>
    public IEnumerable<int> Survivors()
    {
        foreach (var (row, lower) in _rows)
        {
            if (lower <= Threshold)
            {
                yield return row;
            }
        }
    }
}
