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
internal static partial class CertificateBuilder
{
    /// <summary>The smoothing of the coarse solve from every start (nonsmooth lower level).</summary>
    internal static readonly double[] CoarseSmoothing = [1e-3];

    /// <summary>The smoothings of the refinement of the best coarse candidate (nonsmooth lower level).</summary>
    internal static readonly double[] FineSmoothing = [1e-5, 1e-7];

    public static SolutionCertificate Build(
        IBilevelKernels model,
        ReadOnlySpan<double> x,
        ReadOnlySpan<double> y,
        ReadOnlySpan<double> y0,
        double lowerAtY,
        double upperStationarity,
        double gapAllowance,
        CertificateOptions options,
        TimeSpan solveElapsed,
        CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        int n = y.Length;
        var checks = new List<string>(3) { "lower-level feasibility" };
        double scale = Math.Max(1.0, VectorMath.NormInf(y));
        double violation = Violation(model, x, y, new double[n]);

        var best = new double[n];
        var candidates = new List<(double Value, double[] Y)>();
        double bestValue;
        bool unbounded;
        if (n > options.LargeLowerDimension)
        {
            // A large lower level: the re-solve warm-started at the returned y only, within CostFraction of the solve's time
            // (at least MinimumBudget). It can only find a better point than y (never reports a gap that is not there).
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            budget.CancelAfter(Max(options.MinimumBudget, solveElapsed * options.CostFraction));
            bestValue = SolveFromStarts(model, x, y, y0, 0, options, best, candidates, out unbounded, budget.Token);
            checks.Add(budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested
                ? "lower-level optimality gap (warm start only; the re-solve stopped at its time budget)"
                : "lower-level optimality gap (warm start only)");
        }
        else
        {
            checks.Add("lower-level optimality gap");
            bestValue = SolveFromStarts(model, x, y, y0, options.ExtraStarts, options, best, candidates, out unbounded, cancellationToken);
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

        double upperAtY = model.UpperValue(x, y);
        if (failed is null && double.IsFinite(upperAtY))
        {
            checks.Add("optimistic lower-level solution");
            failed = OptimisticCheck(model, x, upperAtY, v, strictGap, candidates);
        }

        if (failed is null && double.IsFinite(upperAtY) && x.Length <= options.ProbeMaxUpperDimension && !cancellationToken.IsCancellationRequested)
        {
            checks.Add("upper-level descent probe");
            // The stationarity probe's baseline at x is the optimistic value over the lower-level solutions the certificate
            // accepts there: the re-solve's points (each solved to 1e-10) within the gap tolerance of v(x), the same rule as at
            // the probe points; plus the returned y itself for a method that solves a relaxed problem by design (CCCP-BO), whose
            // x is judged as a solution of that problem. A method's y that merely approximates y* within the tolerance does not
            // lower the baseline (its F can be below phi(x) by more than the decrease looked for: SPNBO on |w|^(1/2)).
            double baseline = OptimisticValue(model, x, v + strictGap, best, candidates);
            baseline = gapAllowance > strictGap ? Math.Min(baseline, upperAtY) : baseline;
            failed = DescentProbe(model, x, y, best, upperAtY, baseline, options, cancellationToken);
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

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>Start s: the returned y, the caller's y0, the projection of 0, then fixed perturbations of y (scaled to y).</summary>
    internal static void Start(IBilevelKernels model, int s, ReadOnlySpan<double> y, ReadOnlySpan<double> y0, Span<double> start, Random rng, Span<double> draw)
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
                // Antithetic pairs of growing spread: starts 3 and 4 are y +- (1 + |y_i|) (every entry the same side), then
                // 5 and 6 y +- 2 (1 + |y_i|) r with |r_i| in [0.25, 1] of random signs, and so on: a nonconvex lower level's
                // other minima on either side of y are found.
                int pair = (s - 1) / 2;
                double spread = pair;
                double side = s % 2 == 1 ? 1.0 : -1.0;
                for (int i = 0; i < start.Length; i++)
                {
                    if (s % 2 == 1)
                    {
                        double u = pair == 1 ? 1.0 : 0.25 + (0.75 * rng.NextDouble());
                        draw[i] = pair > 1 && rng.Next(2) == 0 ? -u : u;
                    }

                    start[i] = y[i] + (side * spread * (1.0 + Math.Abs(y[i])) * draw[i]);
                }

                break;
        }

        if (model.Info.HasLowerDomain)
        {
            model.ProjectLower(start);
        }
    }

    /// <summary>Minimises f(x, .) from <paramref name="z"/> (in place); returns the exact f there (or -infinity when unbounded).</summary>
    internal static double Resolve(IBilevelKernels model, ReadOnlySpan<double> x, double[] z, int maxSteps, double[] smoothings, CancellationToken cancellationToken)
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
    internal static double Violation(IBilevelKernels model, ReadOnlySpan<double> x, ReadOnlySpan<double> y, double[] scratch)
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
