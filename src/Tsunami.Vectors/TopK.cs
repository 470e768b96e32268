namespace Tsunami.Vectors;

/// <summary>The k smallest distances seen, kept in a max-heap so the worst is dropped first.</summary>
internal sealed class TopK(int k)
{
    private readonly PriorityQueue<int, float> _heap = new(k + 1, Comparer<float>.Create((a, b) => b.CompareTo(a)));

    public int Count => _heap.Count;

    /// <summary>The largest distance kept, or +∞ while fewer than k are kept.</summary>
    public float Bound => _heap.Count < k ? float.PositiveInfinity : _heap.TryPeek(out _, out var worst) ? worst : float.PositiveInfinity;

    public void Offer(int item, float distance)
    {
        if (_heap.Count < k)
        {
            _heap.Enqueue(item, distance);
        }
        else if (distance < Bound)
        {
            _heap.EnqueueDequeue(item, distance);
        }
    }

    /// <summary>What was kept, nearest first.</summary>
    public List<(int Item, float Distance)> Drain()
    {
        var items = new List<(int, float)>(_heap.Count);
        while (_heap.TryDequeue(out var item, out var distance))
        {
            items.Add((item, distance));
        }
        items.Reverse();
        return items;
    }
}
