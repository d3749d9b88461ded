using System.Diagnostics;
using BilevelDsl.Numerics;

namespace BilevelDsl.Solvers.Driver;

/// <summary>
/// Builds the <see cref="SolutionCertificate"/> of a result, independently of the method that produced it: the lower level
/// min_y f(x, y) s.t. u_j(x, y) &lt;= 0, y in the declared domain, is re-solved at the returned x by
/// <see cref="AugmentedLagrangianSolver"/> (FISTA subproblems with the domain's projection) from the returned y, the
/// caller's y0, the projection of 0 and a fixed perturbation of y; a nonsmooth lower level is re-solved on the mu = 1e-3
/// smoothed model from every start and the best candidate refined at mu = 1e-5 and 1e-7; every candidate is judged by the
/// exact f (so v(x) is always an achievable value, an upper bound of min_y f(x, y)).
/// </summary>
internal static class CertificateBuilder
{
    /// <summary>The smoothing of the coarse solve from every start (nonsmooth lower level).</summary>
    private static readonly double[] CoarseSmoothing = [1e-3];

    /// <summary>The smoothings of the refinement of the best coarse candidate (nonsmooth lower level).</summary>
    private static readonly double[] FineSmoothing = [1e-5, 1e-7];

    public static SolutionCertificate Build(
        IBilevelKernels model,
        ReadOnlySpan<double> x,
        ReadOnlySpan<double> y,
        ReadOnlySpan<double> y0,
        double lowerAtY,
        double upperStationarity,
        double gapAllowance,
        CertificateOptions options,
        CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        int n = y.Length;
        var checks = new List<string>(3) { "lower-level feasibility" };
        double scale = Math.Max(1.0, VectorMath.NormInf(y));
        double violation = Violation(model, x, y, new double[n]);

        checks.Add("lower-level optimality gap");
        var best = new double[n];
        double bestValue = double.PositiveInfinity;
        bool unbounded = false;
        var candidate = new double[n];
        var rng = new Random(20261205);
        bool smooth = model.Info.Lower.IsSmooth;
        for (int s = 0; s <= options.ExtraStarts && !cancellationToken.IsCancellationRequested; s++)
        {
            Start(model, s, y, y0, candidate, rng);
            double value = Resolve(model, x, candidate, smooth ? options.MaxSteps : Math.Max(200, options.MaxSteps / 5), smooth ? [0.0] : CoarseSmoothing, cancellationToken);
            if (double.IsNegativeInfinity(value) || value < -1e150)
            {
                unbounded = true;
                candidate.AsSpan().CopyTo(best);
                bestValue = value;
                break;
            }

            if (value < bestValue && Violation(model, x, candidate, new double[n]) <= options.FeasibilityTolerance * Math.Max(1.0, VectorMath.NormInf(candidate)))
            {
                bestValue = value;
                candidate.AsSpan().CopyTo(best);
            }
        }

        if (!smooth && !unbounded && double.IsFinite(bestValue))
        {
            // Only the best coarse candidate is refined: the smoothing error of the coarse solve is O(mu) per term.
            best.AsSpan().CopyTo(candidate);
            double refined = Resolve(model, x, candidate, options.MaxSteps, FineSmoothing, cancellationToken);
            if (refined < bestValue && Violation(model, x, candidate, new double[n]) <= options.FeasibilityTolerance * Math.Max(1.0, VectorMath.NormInf(candidate)))
            {
                bestValue = refined;
                candidate.AsSpan().CopyTo(best);
            }
        }

        double v = double.IsFinite(lowerAtY) && violation <= options.FeasibilityTolerance * scale ? Math.Min(bestValue, lowerAtY) : bestValue;
        double gap = lowerAtY - v;
        checks.Add("upper-level stationarity (the method's measure, recorded)");

        double strictGap = options.GapTolerance * Math.Max(1.0, Math.Abs(v));
        string? failed = null;
        if (violation > options.FeasibilityTolerance * scale)
        {
            failed = $"lower-level feasibility failed: y violates a lower-level constraint or its domain by {Fmt.G(violation)} "
                + $"(tolerance {Fmt.G(options.FeasibilityTolerance * scale)}), so F(x, y) is not achievable";
        }
        else if (unbounded)
        {
            failed = $"lower-level optimality gap failed: the lower level appears unbounded below at the returned x (the re-solve reached f = {Fmt.G(bestValue)})";
        }
        else if (!(gap <= Math.Max(strictGap, gapAllowance)))
        {
            failed = $"lower-level optimality gap failed: f(x, y) - v(x) = {Fmt.G(gap)} > {Fmt.G(Math.Max(strictGap, gapAllowance))} "
                + $"(an independent re-solve of the lower level at the returned x found f = {Fmt.G(v)}), so y is not a lower-level solution";
        }

        bool haveSolution = double.IsFinite(bestValue);
        bool notOptimal = failed is not null || !(gap <= strictGap);
        double upperAtSolution = notOptimal && haveSolution && !unbounded ? model.UpperValue(x, best) : double.NaN;
        if (failed is not null && double.IsFinite(upperAtSolution))
        {
            failed += $"; at the re-solved y* the upper value is F(x, y*) = {Fmt.G(upperAtSolution)}";
        }

        return new SolutionCertificate
        {
            Passed = failed is null,
            FailedCheck = failed,
            Checks = checks.AsReadOnly(),
            LowerOptimalValue = v,
            LowerGap = gap,
            LowerConstraintViolation = violation,
            UpperStationarity = upperStationarity,
            LowerSolution = haveSolution ? best : null,
            UpperValueAtLowerSolution = upperAtSolution,
            Elapsed = stopwatch.Elapsed,
        };
    }

    /// <summary>Start s: the returned y, the caller's y0, the projection of 0, then fixed perturbations of y (scaled to y).</summary>
    private static void Start(IBilevelKernels model, int s, ReadOnlySpan<double> y, ReadOnlySpan<double> y0, Span<double> start, Random rng)
    {
        switch (s)
        {
            case 0:
                y.CopyTo(start);
                break;
            case 1:
                y0.CopyTo(start);
                break;
            case 2:
                start.Clear();
                break;
            default:
                for (int i = 0; i < start.Length; i++)
                {
                    start[i] = y[i] + ((1.0 + Math.Abs(y[i])) * ((2.0 * rng.NextDouble()) - 1.0));
                }

                break;
        }

        if (model.Info.HasLowerDomain)
        {
            model.ProjectLower(start);
        }
    }

    /// <summary>Minimises f(x, .) from <paramref name="z"/> (in place); returns the exact f there (or -infinity when unbounded).</summary>
    private static double Resolve(IBilevelKernels model, ReadOnlySpan<double> x, double[] z, int maxSteps, double[] smoothings, CancellationToken cancellationToken)
    {
        // Without constraints the method is one FISTA solve (one outer iteration, to the final tolerance at once).
        bool constrained = model.LowerConstraintCount > 0;
        var solver = new AugmentedLagrangianSolver(z.Length, model.LowerConstraintCount, new AugmentedLagrangianOptions
        {
            StationarityTolerance = 1e-10,
            FeasibilityTolerance = 1e-10,
            InitialSubproblemTolerance = constrained ? 1e-2 : 1e-10,
            MaxSubproblemSteps = maxSteps,
            MaxOuterIterations = constrained ? 40 : 1,
        });
        var multipliers = new double[model.LowerConstraintCount];
        var constraints = new LowerConstraints(model, x.ToArray(), z.Length);
        foreach (double mu in smoothings)
        {
            IBilevelKernels level = mu == 0.0 ? model : model.WithSmoothing(mu);
            ConstrainedSolveResult r = solver.Minimize(new LowerObjective(level, x.ToArray(), z.Length), constraints, z, multipliers, cancellationToken);
            if (r.Status == ConstrainedSolveStatus.NonFinite || !VectorMath.AllFinite(z))
            {
                return double.NegativeInfinity;
            }
        }

        double value = model.LowerValue(x, z);
        return double.IsNaN(value) ? double.PositiveInfinity : value;
    }

    /// <summary>max(0, max_j u_j(x, y), ||y - P(y)||_inf): 0 for a feasible y.</summary>
    private static double Violation(IBilevelKernels model, ReadOnlySpan<double> x, ReadOnlySpan<double> y, double[] scratch)
    {
        double violation = 0.0;
        for (int j = 0; j < model.LowerConstraintCount; j++)
        {
            double u = model.LowerConstraintValue(j, x, y);
            violation = double.IsNaN(u) ? double.PositiveInfinity : Math.Max(violation, u);
        }

        if (model.Info.HasLowerDomain)
        {
            y.CopyTo(scratch);
            model.ProjectLower(scratch);
            violation = Math.Max(violation, VectorMath.DistanceInf(y, scratch));
        }

        return violation;
    }

    internal sealed class LowerObjective(IBilevelKernels model, double[] x, int n) : ISmoothConvexFunction
    {
        private readonly double[] _gradX = new double[x.Length];

        public int Dimension => n;

        public double ValueAndGradient(ReadOnlySpan<double> z, Span<double> gradient) => model.LowerGradient(x, z, _gradX, gradient);
    }

    internal sealed class LowerConstraints(IBilevelKernels model, double[] x, int n) : IConvexConstraints
    {
        private readonly double[] _gradX = new double[x.Length];

        public int Dimension => n;

        public int Count => model.LowerConstraintCount;

        public bool HasSimpleSet => model.Info.HasLowerDomain;

        public double ValueAndGradient(int i, ReadOnlySpan<double> z, Span<double> gradient) => model.LowerConstraintGradient(i, x, z, _gradX, gradient);

        public void ProjectOntoSimpleSet(Span<double> z) => model.ProjectLower(z);
    }
}
