namespace Tsunami.Vectors;

public sealed partial class HnswIndex
{
    /// <summary>One thread's search state, reused from search to search.</summary>
    private sealed class Scratch
    {
        public VisitedSet Visited { get; } = new();
        public DistanceHeap Candidates { get; } = new(256, largestFirst: false);
        public DistanceHeap Results { get; } = new(256, largestFirst: true);

        private int[] _fresh = [];

        /// <summary>Room for one node's unvisited neighbours.</summary>
        public Span<int> Fresh(int links)
        {
            if (_fresh.Length < links)
            {
                _fresh = new int[links];
            }
            return _fresh;
        }
    }

    /// <summary>
    /// Marks visited nodes with a stamp per search, so nothing is cleared between searches (but every 255th). One
    /// byte a node keeps the marks of 330K nodes in a core's L2 cache, where int stamps spill to memory.
    /// </summary>
    private sealed class VisitedSet
    {
        private byte[] _stamps = [];
        private byte _stamp;

        public void Reset(int nodes)
        {
            if (_stamps.Length < nodes)
            {
                _stamps = new byte[Math.Max(nodes, _stamps.Length * 2)];
                _stamp = 0;
            }
            if (++_stamp == byte.MaxValue)
            {
                Array.Clear(_stamps);
                _stamp = 1;
            }
        }

        /// <summary>True when the node was not yet visited.</summary>
        public bool Add(int node)
        {
            if ((uint)node >= (uint)_stamps.Length)
            {
                // Linked by an insert since the search began.
                Array.Resize(ref _stamps, Math.Max(node + 1, _stamps.Length * 2));
            }
            if (_stamps[node] == _stamp)
            {
                return false;
            }
            _stamps[node] = _stamp;
            return true;
        }
    }
}
