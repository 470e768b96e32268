namespace Tsunami.Vectors;

/// <summary>
/// A binary heap of (distance, node) on two arrays, smallest distance on top, or largest with
/// <c>largestFirst</c>: the search's candidate and result lists without PriorityQueue's comparer calls. With
/// <c>tiesByNode</c>, equal distances are ordered by node too.
/// </summary>
internal sealed class DistanceHeap(int capacity, bool largestFirst, bool tiesByNode = false)
{
    private float[] _distances = new float[Math.Max(4, capacity)];
    private int[] _nodes = new int[Math.Max(4, capacity)];

    public int Count { get; private set; }

    public float TopDistance => _distances[0];
    public int TopNode => _nodes[0];

    public void Clear() => Count = 0;

    public void Push(int node, float distance)
    {
        if (Count == _distances.Length)
        {
            Array.Resize(ref _distances, Count * 2);
            Array.Resize(ref _nodes, Count * 2);
        }
        var i = Count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!Before(distance, node, _distances[parent], _nodes[parent]))
            {
                break;
            }
            _distances[i] = _distances[parent];
            _nodes[i] = _nodes[parent];
            i = parent;
        }
        _distances[i] = distance;
        _nodes[i] = node;
    }

    public (int Node, float Distance) Pop()
    {
        var top = (_nodes[0], _distances[0]);
        Count--;
        if (Count > 0)
        {
            SiftDown(_nodes[Count], _distances[Count]);
        }
        return top;
    }

    /// <summary>Replaces the top with a new entry (a full result list taking a closer node).</summary>
    public void ReplaceTop(int node, float distance) => SiftDown(node, distance);

    private void SiftDown(int node, float distance)
    {
        var i = 0;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= Count)
            {
                break;
            }
            if (child + 1 < Count && Before(_distances[child + 1], _nodes[child + 1], _distances[child], _nodes[child]))
            {
                child++;
            }
            if (!Before(_distances[child], _nodes[child], distance, node))
            {
                break;
            }
            _distances[i] = _distances[child];
            _nodes[i] = _nodes[child];
            i = child;
        }
        _distances[i] = distance;
        _nodes[i] = node;
    }

    private bool Before(float a, int nodeA, float b, int nodeB) => largestFirst
        ? a > b || (tiesByNode && a == b && nodeA > nodeB)
        : a < b || (tiesByNode && a == b && nodeA < nodeB);
}
