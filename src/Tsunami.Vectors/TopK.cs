namespace Tsunami.Vectors;

/// <summary>
/// The k smallest distances seen, kept in a max-heap so the worst is dropped first; of equal distances the smaller
/// items are kept, whatever the order they came in, so that which of several tied rows an exact scan keeps does not
/// depend on which other rows it was offered (the screened and the full scan give the same answers).
/// </summary>
internal sealed class TopK(int k)
{
    private readonly DistanceHeap _heap = new(k, largestFirst: true, tiesByNode: true);

    public int Count => _heap.Count;

    /// <summary>The largest distance kept, or +∞ while fewer than k are kept.</summary>
    public float Bound => _heap.Count < k ? float.PositiveInfinity : _heap.TopDistance;

    public void Offer(int item, float distance)
    {
        if (_heap.Count < k)
        {
            _heap.Push(item, distance);
        }
        else if (distance < _heap.TopDistance || (distance == _heap.TopDistance && item < _heap.TopNode))
        {
            _heap.ReplaceTop(item, distance);
        }
    }

    /// <summary>What was kept, nearest first.</summary>
    public List<(int Item, float Distance)> Drain()
    {
        var items = new List<(int, float)>(_heap.Count);
        while (_heap.Count > 0)
        {
            items.Add(_heap.Pop());
        }
        items.Reverse();
        return items;
    }
}
