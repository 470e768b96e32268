using System.Runtime.Intrinsics;

namespace Tsunami.Vectors;

/// <summary>
/// Exact search for many queries at once: each block of rows, while it sits in cache, is compared with groups of
/// queries (on the screening codes 8 a group, the groups of one 256-query slab at a time; on float32 16 a group, by
/// <see cref="VectorSpace.GroupDistances"/>, all of them), so the scan is bound by the multiply units instead of
/// memory. The cores take a share of the query groups each.
/// </summary>
public sealed partial class FlatIndex
{
    private const int GroupBlockRows = 256; // 100 KB of 100-d rows: stays in a core's L2 while every group passes over it

    public IReadOnlyList<IReadOnlyList<Neighbor>> SearchBatch(IReadOnlyList<float[]> queries, int k, SearchOptions? options = null)
    {
        var allowed = options?.Allowed;
        if (!Vector256.IsHardwareAccelerated || queries.Count < 2 || k <= 0 || (allowed is not null && allowed.Count < Count / 4))
        {
            return [.. queries.Select(q => Search(q, k, options))];
        }
        if (_codes is { } codes)
        {
            return ScreenBatch(codes, [.. queries.Select(q => _space.Prepare(q))], k, allowed);
        }
        var groups = Enumerable.Range(0, (queries.Count + QueryGroup.Size - 1) / QueryGroup.Size).Select(g => _space.PrepareGroup(queries, g * QueryGroup.Size)).ToArray();
        return AcrossCores(groups.Length, QueryGroup.Size, queries.Count, (from, to, count) =>
        {
            Interlocked.Add(ref _scored, (long)count * _keys.Count);
            return [.. ScanGroups(groups.AsSpan(from, to - from), k, allowed).Take(count).Select(Answer)];
        });
    }

    private IReadOnlyList<Neighbor>[] ScreenBatch(ScreeningCodes codes, VectorSpace.Query[] queries, int k, IReadOnlySet<long>? allowed)
    {
        var groups = queries.Chunk(ScreeningCodes.ProbeGroup.Size).Select(chunk => new ScreeningCodes.ProbeGroup([.. chunk.Select(q => codes.Prepare(q.Vector))])).ToArray();
        return AcrossCores(groups.Length, ScreeningCodes.ProbeGroup.Size, queries.Length, (from, to, count) =>
        {
            var first = from * ScreeningCodes.ProbeGroup.Size;
            var screenings = Enumerable.Range(0, count).Select(_ => NewScreening(k, allowed)).ToArray();
            codes.Screen(groups.AsSpan(from, to - from), _keys.Count, screenings);
            return [.. screenings.Select((screening, i) => Answer(Score(screening, queries[first + i], k)))];
        });
    }

    /// <summary>
    /// Answers a batch under the read lock with the query groups shared out over the cores: <paramref name="answer"/>
    /// gets groups [from, to) and how many queries they hold, and returns those queries' answers in order.
    /// </summary>
    private IReadOnlyList<Neighbor>[] AcrossCores(int groups, int groupSize, int queries, Func<int, int, int, IReadOnlyList<Neighbor>[]> answer)
    {
        var answers = new IReadOnlyList<Neighbor>[queries];
        _lock.EnterReadLock();
        try
        {
            var threads = Math.Min(Environment.ProcessorCount, groups);
            Parallel.For(0, threads, thread =>
            {
                var from = groups * thread / threads;
                var to = groups * (thread + 1) / threads;
                var first = from * groupSize;
                answer(from, to, Math.Min(queries, to * groupSize) - first).CopyTo(answers, first);
            });
        }
        finally
        {
            _lock.ExitReadLock();
        }
        return answers;
    }

    /// <summary>The k nearest rows of each query in the groups (16 a group; the last group's empty lanes never admit a row).</summary>
    private TopK[] ScanGroups(ReadOnlySpan<QueryGroup> groups, int k, IReadOnlySet<long>? allowed)
    {
        const int lanes = 8;
        var lanesInAll = groups.Length * QueryGroup.Size;
        var tops = new TopK[lanesInAll];
        var bounds = new float[lanesInAll];
        for (var lane = 0; lane < lanesInAll; lane++)
        {
            tops[lane] = new TopK(k);
            bounds[lane] = lane % QueryGroup.Size < groups[lane / QueryGroup.Size].Count ? float.PositiveInfinity : float.NegativeInfinity;
        }
        var distances = new float[GroupBlockRows * QueryGroup.Size];
        // Rows come in ascending order: one tied with a query's bound would lose the tie to the row kept before it.
        for (var first = 0; first < _keys.Count; first += GroupBlockRows)
        {
            var rows = Math.Min(GroupBlockRows, _keys.Count - first);
            for (var g = 0; g < groups.Length; g++)
            {
                _space.GroupDistances(groups[g], first, rows, distances);
                var laneBase = g * QueryGroup.Size;
                for (var row = 0; row < rows; row++)
                {
                    for (var half = 0; half < QueryGroup.Size; half += lanes)
                    {
                        var at = (row * QueryGroup.Size) + half;
                        var closer = Vector256.LessThan(Vector256.Create<float>(distances.AsSpan(at, lanes)), Vector256.Create<float>(bounds.AsSpan(laneBase + half, lanes)));
                        for (var mask = closer.ExtractMostSignificantBits(); mask != 0; mask &= mask - 1)
                        {
                            var lane = laneBase + half + System.Numerics.BitOperations.TrailingZeroCount(mask);
                            if (allowed is null || allowed.Contains(_keys[first + row]))
                            {
                                tops[lane].Offer(first + row, distances[at + (lane - laneBase - half)]);
                                bounds[lane] = tops[lane].Bound;
                            }
                        }
                    }
                }
            }
        }
        return tops;
    }
}
