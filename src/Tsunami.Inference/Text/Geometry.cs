using System.Numerics;

namespace Tsunami.Inference.Text;

/// <summary>A rotated rectangle as its four corners: top-left, top-right, bottom-right, bottom-left.</summary>
internal readonly record struct Quad(Vector2 TopLeft, Vector2 TopRight, Vector2 BottomRight, Vector2 BottomLeft)
{
    public float Width => Math.Max(Vector2.Distance(TopLeft, TopRight), Vector2.Distance(BottomLeft, BottomRight));
    public float Height => Math.Max(Vector2.Distance(TopLeft, BottomLeft), Vector2.Distance(TopRight, BottomRight));

    public Quad Scale(float x, float y) => new(TopLeft * new Vector2(x, y), TopRight * new Vector2(x, y), BottomRight * new Vector2(x, y), BottomLeft * new Vector2(x, y));

    public float[] ToArray() => [TopLeft.X, TopLeft.Y, TopRight.X, TopRight.Y, BottomRight.X, BottomRight.Y, BottomLeft.X, BottomLeft.Y];

    /// <summary>Orders four corners as PaddleOCR does: the left pair by y gives tl, bl; the right pair tr, br.</summary>
    public static Quad FromCorners(IEnumerable<Vector2> corners)
    {
        var byX = corners.OrderBy(p => p.X).ThenBy(p => p.Y).ToArray();
        var (tl, bl) = byX[0].Y <= byX[1].Y ? (byX[0], byX[1]) : (byX[1], byX[0]);
        var (tr, br) = byX[2].Y <= byX[3].Y ? (byX[2], byX[3]) : (byX[3], byX[2]);
        return new Quad(tl, tr, br, bl);
    }

    public bool Contains(Vector2 p) =>
        Side(TopLeft, TopRight, p) >= 0 && Side(TopRight, BottomRight, p) >= 0 && Side(BottomRight, BottomLeft, p) >= 0 && Side(BottomLeft, TopLeft, p) >= 0 ||
        Side(TopLeft, TopRight, p) <= 0 && Side(TopRight, BottomRight, p) <= 0 && Side(BottomRight, BottomLeft, p) <= 0 && Side(BottomLeft, TopLeft, p) <= 0;

    private static float Side(Vector2 a, Vector2 b, Vector2 p) => ((b.X - a.X) * (p.Y - a.Y)) - ((b.Y - a.Y) * (p.X - a.X));
}

/// <summary>The minimum-area rotated rectangle of a point set: convex hull, then rotating calipers over its edges.</summary>
internal static class Geometry
{
    public static (Vector2 Center, Vector2 AxisU, Vector2 AxisV, float Width, float Height) MinimumAreaRectangle(IReadOnlyList<Vector2> points)
    {
        var hull = ConvexHull(points);
        if (hull.Count == 1)
        {
            return (hull[0], Vector2.UnitX, Vector2.UnitY, 0, 0);
        }
        var best = (Center: Vector2.Zero, U: Vector2.UnitX, V: Vector2.UnitY, W: 0f, H: 0f, Area: float.MaxValue);
        for (var i = 0; i < hull.Count; i++)
        {
            var edge = hull[(i + 1) % hull.Count] - hull[i];
            if (edge.LengthSquared() < 1e-12f)
            {
                continue;
            }
            var u = Vector2.Normalize(edge);
            var v = new Vector2(-u.Y, u.X);
            float minU = float.MaxValue, maxU = float.MinValue, minV = float.MaxValue, maxV = float.MinValue;
            foreach (var p in hull)
            {
                var pu = Vector2.Dot(p, u);
                var pv = Vector2.Dot(p, v);
                minU = Math.Min(minU, pu);
                maxU = Math.Max(maxU, pu);
                minV = Math.Min(minV, pv);
                maxV = Math.Max(maxV, pv);
            }
            var area = (maxU - minU) * (maxV - minV);
            if (area < best.Area)
            {
                var center = (u * ((minU + maxU) / 2)) + (v * ((minV + maxV) / 2));
                best = (center, u, v, maxU - minU, maxV - minV, area);
            }
        }
        return (best.Center, best.U, best.V, best.W, best.H);
    }

    public static Quad Corners(Vector2 center, Vector2 u, Vector2 v, float width, float height)
    {
        var du = u * (width / 2);
        var dv = v * (height / 2);
        return Quad.FromCorners([center - du - dv, center + du - dv, center + du + dv, center - du + dv]);
    }

    /// <summary>Andrew's monotone chain; counter-clockwise, without repeated points.</summary>
    public static List<Vector2> ConvexHull(IReadOnlyList<Vector2> points)
    {
        var sorted = points.Distinct().OrderBy(p => p.X).ThenBy(p => p.Y).ToList();
        if (sorted.Count < 3)
        {
            return sorted;
        }
        var hull = new List<Vector2>(2 * sorted.Count);
        foreach (var pass in new[] { sorted, Enumerable.Reverse(sorted).ToList() })
        {
            var start = hull.Count;
            foreach (var p in pass)
            {
                while (hull.Count >= start + 2 && Cross(hull[^2], hull[^1], p) <= 0)
                {
                    hull.RemoveAt(hull.Count - 1);
                }
                hull.Add(p);
            }
            hull.RemoveAt(hull.Count - 1);
        }
        return hull;
    }

    private static float Cross(Vector2 o, Vector2 a, Vector2 b) => ((a.X - o.X) * (b.Y - o.Y)) - ((a.Y - o.Y) * (b.X - o.X));
}
