namespace BilevelDsl.Tests.KnownAnswerSuite;

/// <summary>
/// An independent global re-solve of the lower level min { f(x, y) : y in Y, u_j(x, y) &lt;= 0 } at a fixed x,
/// for the small problems of the suite (n &lt;= 3): a uniform grid over a box, then a zoom (a 21-point grid per
/// dimension over +-2 cells, a pattern search that shrinks the cell by 5 when it finds no better point) around the best few well-separated grid points (4 for a run's re-check, 2 in sweeps)
/// and around a hint (the solver's y). It uses values only (no gradients, no solver code), so it cannot share a
/// bug with the methods it checks. Grid points outside the declared domain or violating a constraint are
/// skipped, so the value found is that of a feasible point.
/// </summary>
public sealed partial class LowerLevelReference
{
    private const int ZoomPoints = 21;
    private readonly IBilevelKernels model;
    private readonly double[] boxLo;
    private readonly double[] boxHi;
    private readonly int n;
    private readonly int coarsePoints;
    private readonly int zoomLevels;
    private readonly int candidates;

    /// <summary>A lower-level solve at one x.</summary>
    /// <param name="Value">v(x): the smallest f over the feasible grid points (+inf when none is feasible).</param>
    /// <param name="Y">The point attaining it.</param>
    /// <param name="OptimisticF">The smallest F over the zoomed local minimisers whose f is within 1e-9 (1 + |v|) of v.</param>
    /// <param name="OptimisticY">The point attaining it.</param>
    public sealed record Solution(double Value, double[] Y, double OptimisticF, double[] OptimisticY)
    {
        /// <summary>Whether some feasible point was found.</summary>
        public bool Feasible => !double.IsPositiveInfinity(Value);
    }

    /// <param name="model">The model.</param>
    /// <param name="lo">Lower corner of the search box.</param>
    /// <param name="hi">Upper corner of the search box.</param>
    /// <param name="fine">True for the per-run re-check (finer first grid, more zoom starts); false for sweeps over x.</param>
    public LowerLevelReference(IBilevelKernels model, double[] lo, double[] hi, bool fine = true)
    {
        this.model = model;
        boxLo = lo;
        boxHi = hi;
        n = lo.Length;
        coarsePoints = (n, fine) switch
        {
            (1, true) => 2001,
            (1, false) => 401,
            (2, true) => 161,
            (2, false) => 25,
            (_, true) => 41,
            _ => 21,
        };
        zoomLevels = fine ? 13 : 8;
        candidates = fine ? 4 : 2;
    }

    /// <summary>How far (x, y) is from lower-level feasibility: max(0, max_j u_j, distance to the declared domain).</summary>
    public double Violation(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double worst = 0;
        if (model.Info.HasLowerDomain)
        {
            Span<double> p = stackalloc double[y.Length];
            y.CopyTo(p);
            model.ProjectLower(p);
            for (int i = 0; i < y.Length; i++)
            {
                worst = Math.Max(worst, Math.Abs(p[i] - y[i]));
            }
        }

        for (int j = 0; j < model.LowerConstraintCount; j++)
        {
            worst = Math.Max(worst, model.LowerConstraintValue(j, x, y));
        }

        return double.IsNaN(worst) ? double.PositiveInfinity : worst;
    }

    /// <summary>Re-solves the lower level at x; the hint (if any) is zoomed around too, and the box is widened to contain it.</summary>
    public Solution Solve(ReadOnlySpan<double> x, ReadOnlySpan<double> hint = default)
    {
        double[] lo = (double[])boxLo.Clone();
        double[] hi = (double[])boxHi.Clone();
        bool hasHint = hint.Length == n && AllFinite(hint);
        if (hasHint)
        {
            for (int i = 0; i < n; i++)
            {
                lo[i] = Math.Min(lo[i], hint[i] - 1);
                hi[i] = Math.Max(hi[i], hint[i] + 1);
            }
        }

        double[] h = new double[n];
        for (int i = 0; i < n; i++)
        {
            h[i] = (hi[i] - lo[i]) / (coarsePoints - 1);
        }

        // The first grid: every feasible value, then the best few points at least 3 cells apart.
        int total = 1;
        for (int i = 0; i < n; i++)
        {
            total *= coarsePoints;
        }

        double[] values = new double[total];
        int[] order = new int[total];
        double[] y = new double[n];
        for (int k = 0; k < total; k++)
        {
            GridPoint(k, coarsePoints, lo, h, y);
            values[k] = FeasibleValue(x, y);
            order[k] = k;
        }

        Array.Sort((double[])values.Clone(), order);
        var starts = new List<double[]>();
        for (int r = 0; r < Math.Min(total, 200) && starts.Count < candidates; r++)
        {
            if (double.IsPositiveInfinity(values[order[r]]))
            {
                break;
            }

            double[] c = new double[n];
            GridPoint(order[r], coarsePoints, lo, h, c);
            if (starts.TrueForAll(s => CellDistance(s, c, h) > 2.5))
            {
                starts.Add(c);
            }
        }

        if (hasHint)
        {
            starts.Add(hint.ToArray());
        }

        // Zoom around each start; the end of each zoom chain is a local minimiser to grid accuracy.
        var ends = new List<(double F, double[] Y)>();
        foreach (double[] start in starts)
        {
            (double f, double[] end) = Zoom(x, start, h, lo, hi);
            if (model.LowerConstraintCount > 0 && !double.IsPositiveInfinity(f))
            {
                (f, end) = Polish(x, end, f);
            }

            if (!double.IsPositiveInfinity(f))
            {
                ends.Add((f, end));
            }
        }

        if (ends.Count == 0)
        {
            return new Solution(double.PositiveInfinity, new double[n], double.PositiveInfinity, new double[n]);
        }

        // Chains that ended at the same minimiser count once, with their lowest f: otherwise the "optimistic"
        // choice below could pick a merely near-optimal point of one minimiser's neighbourhood.
        ends.Sort((a, b) => a.F.CompareTo(b.F));
        double merge = 1e-3 * (1 + MaxWidth(lo, hi));
        var distinct = new List<(double F, double[] Y)>();
        foreach ((double f, double[] end) in ends)
        {
            if (distinct.TrueForAll(d => MaxDistance(d.Y, end) > merge))
            {
                distinct.Add((f, end));
            }
        }

        ends = distinct;
        (double v, double[] best) = ends[0];
        double eps = 1e-9 * (1 + Math.Abs(v));
        double optimisticF = double.PositiveInfinity;
        double[] optimisticY = best;
        foreach ((double f, double[] end) in ends)
        {
            double upper = model.UpperValue(x, end);
            if (f <= v + eps && upper < optimisticF)
            {
                optimisticF = upper;
                optimisticY = end;
            }
        }

        return new Solution(v, best, optimisticF, optimisticY);
    }

    private (double F, double[] Y) Zoom(ReadOnlySpan<double> x, double[] start, double[] h0, double[] lo, double[] hi)
    {
        double[] c = (double[])start.Clone();
        double[] h = (double[])h0.Clone();
        double bestF = FeasibleValue(x, c);
        double[] best = (double[])c.Clone();
        double[] zlo = new double[n];
        double[] zh = new double[n];
        double[] y = new double[n];
        int total = 1;
        for (int i = 0; i < n; i++)
        {
            total *= ZoomPoints;
        }

        // A pattern search on shrinking grids: re-centre on the best point while the grid finds a better one,
        // and shrink the cell by 5 only when it does not (shrinking as soon as the best point stays inside the
        // box stalls along curved or slanted constraints, where the staircase of feasible grid points hides progress).
        int shrinks = 0;
        for (int step = 0; step < (3 * zoomLevels) + 60 && shrinks < zoomLevels; step++)
        {
            double before = bestF;
            for (int i = 0; i < n; i++)
            {
                double a = Math.Max(lo[i], c[i] - (2 * h[i]));
                double b = Math.Min(hi[i], c[i] + (2 * h[i]));
                zlo[i] = a;
                zh[i] = (b - a) / (ZoomPoints - 1);
            }

            for (int k = 0; k < total; k++)
            {
                GridPoint(k, ZoomPoints, zlo, zh, y);
                double f = FeasibleValue(x, y);
                if (f < bestF)
                {
                    bestF = f;
                    y.CopyTo(best, 0);
                }
            }

            if (double.IsPositiveInfinity(bestF))
            {
                break;
            }

            best.CopyTo(c, 0);
            if (!(bestF < before))
            {
                shrinks++;
                for (int i = 0; i < n; i++)
                {
                    h[i] = Math.Max(h[i] / 5, 1e-300);
                }
            }
        }

        return (bestF, best);
    }

    private double FeasibleValue(ReadOnlySpan<double> x, double[] y)
    {
        // Exact feasibility for grid points (a tolerance would let degenerate constraints such as
        // y1^2 - y2^2 + ... <= 0 at the origin admit infeasible points with a better value).
        if (Violation(x, y) > 0)
        {
            return double.PositiveInfinity;
        }

        double f = model.LowerValue(x, y);
        return double.IsFinite(f) ? f : double.PositiveInfinity;
    }

    private void GridPoint(int k, int points, double[] lo, double[] h, double[] y)
    {
        for (int i = 0; i < n; i++)
        {
            y[i] = lo[i] + ((k % points) * h[i]);
            k /= points;
        }
    }

    private static double CellDistance(double[] a, double[] b, double[] h)
    {
        double d = 0;
        for (int i = 0; i < a.Length; i++)
        {
            d = Math.Max(d, Math.Abs(a[i] - b[i]) / Math.Max(h[i], 1e-300));
        }

        return d;
    }

    private static double MaxWidth(double[] lo, double[] hi)
    {
        double w = 0;
        for (int i = 0; i < lo.Length; i++)
        {
            w = Math.Max(w, hi[i] - lo[i]);
        }

        return w;
    }

    private static double MaxDistance(double[] a, double[] b)
    {
        double d = 0;
        for (int i = 0; i < a.Length; i++)
        {
            d = Math.Max(d, Math.Abs(a[i] - b[i]));
        }

        return d;
    }

    private static bool AllFinite(ReadOnlySpan<double> v)
    {
        foreach (double t in v)
        {
            if (!double.IsFinite(t))
            {
                return false;
            }
        }

        return true;
    }
}
