using BilevelDsl.Numerics;
using BilevelDsl.Solvers.Driver;

namespace BilevelDsl.Solvers;

internal sealed partial class SgmWorkspace
{
    /// <summary>
    /// Runs Algorithm 1 at x from y0 (projected onto Y first). <paramref name="trace"/>, if given, records one entry per
    /// step (at the cost of one extra F evaluation per step).
    /// </summary>
    public void Run(IBilevelKernels model, ReadOnlySpan<double> x, ReadOnlySpan<double> y0, SgmOptions o, CancellationToken cancellationToken, SgmTrace? trace)
    {
        double tau = o.StepSize;
        double theta = o.Threshold;
        Shortfall = SgmShortfall.None;
        UpperSteps = 0;
        StepsTaken = 0;
        Evaluations = 0;
        UpperValue = double.NaN;
        LowerValue = double.NaN;
        LowerEstimate = double.NaN;
        EstimateDrop = double.NaN;
        WarmupLateDecrease = double.NaN;
        AveragedSteps = 0;

        y0.CopyTo(_y);
        model.ProjectLower(_y);
        double f = model.LowerGradient(x, _y, _gx, _gy);
        Evaluations++;
        _y.AsSpan().CopyTo(_best);
        if (!Finite(f, _gy))
        {
            NonFinite("f", f, _gy, "the projected start");
            return;
        }

        // Warm-up (lines 2-5): projected (sub)gradient steps on f; the estimate is the smallest value seen (the paper
        // takes the last one, which is the smallest for smooth f and tau <= 1/L; for subgradient steps the smallest is
        // the better upper bound on min f). With WarmupPatience > 0 the step is halved after that many steps without a
        // new smallest value: fixed subgradient steps circle a sharp minimum at a distance of order tau forever, halving
        // closes in on it; steps on a smooth f with tau <= 1/L keep improving and are never halved.
        _gy.AsSpan().CopyTo(_gyBest);
        double fBest = f;
        double fBestAtHalf = f;
        double h = tau;
        int sinceBest = 0;
        int half = o.WarmupSteps / 2;
        for (int k = 0; k < o.WarmupSteps; k++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                Finish(SolverStatus.Cancelled, model, x, _best);
                return;
            }

            if (k == half)
            {
                fBestAtHalf = fBest;
            }

            VectorMath.AddScaled(_y, -h, _gy, _yNext);
            model.ProjectLower(_yNext);
            double fNext = model.LowerGradient(x, _yNext, _gx, _gyNext);
            Evaluations++;
            StepsTaken++;
            if (!Finite(fNext, _gyNext))
            {
                NonFinite("f", fNext, _gyNext, $"warm-up step {k + 1}");
                return;
            }

            if (o.CheckConvexity && ViolatesConvexity(f, _gy, _y, fNext, _gyNext, _yNext, out double curvature, out double gap))
            {
                NotConvex("f", StepsTaken, curvature, gap, model, x);
                return;
            }

            trace?.Step(model, x, _yNext, fNext, _gyNext, VectorMath.Norm2(_gy), VectorMath.DistanceInf(_yNext, _y), _scratch);
            VectorMath.Swap(ref _y, ref _yNext);
            VectorMath.Swap(ref _gy, ref _gyNext);
            f = fNext;
            if (f < fBest)
            {
                fBest = f;
                sinceBest = 0;
                _y.AsSpan().CopyTo(_best);
                _gy.AsSpan().CopyTo(_gyBest);
            }
            else if (o.WarmupPatience > 0 && ++sinceBest >= o.WarmupPatience)
            {
                h *= 0.5;
                sinceBest = 0;
            }
        }

        double estimate = fBest;
        WarmupLateDecrease = fBestAtHalf - fBest;

        // Switching phase (lines 6-13), started from the best warm-up point (the paper restarts from y0; starting where
        // f is already within reach of the estimate saves the steps that would walk back there).
        _best.AsSpan().CopyTo(_y);
        _gyBest.AsSpan().CopyTo(_gy);
        f = fBest;
        Array.Clear(_sum);
        int upperSteps = 0;
        int averaged = 0;
        int averageFrom = o.Steps - (int)Math.Ceiling(o.AveragedFraction * o.Steps);
        double estimateAtWindow = estimate;
        bool polyak = o.LowerStep == SgmLowerStep.Polyak;
        bool previousWasUpper = false;
        double FPrevious = 0.0;
        for (int k = 0; k < o.Steps; k++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                UpperSteps = upperSteps;
                LowerEstimate = estimate;
                if (averaged > 0)
                {
                    Mean(averaged);
                    model.ProjectLower(_output);
                    Finish(SolverStatus.Cancelled, model, x, _output);
                }
                else
                {
                    Finish(SolverStatus.Cancelled, model, x, _best);
                }

                return;
            }

            if (k == averageFrom)
            {
                estimateAtWindow = estimate;
            }

            double directionNorm;
            if (f - estimate <= 2.0 * theta)
            {
                double F = model.UpperGradient(x, _y, _gx, _Fy);
                Evaluations++;
                if (!Finite(F, _Fy))
                {
                    UpperSteps = upperSteps;
                    NonFinite("F", F, _Fy, $"switching step {k + 1}");
                    return;
                }

                // _yNext holds the previous iterate after the last swap.
                if (o.CheckConvexity && previousWasUpper
                    && ViolatesConvexity(FPrevious, _FyPrevious, _yNext, F, _Fy, _y, out double curvature, out double gap))
                {
                    UpperSteps = upperSteps;
                    NotConvex("F", StepsTaken, curvature, gap, model, x);
                    return;
                }

                upperSteps++;
                if (k >= averageFrom)
                {
                    for (int i = 0; i < _n; i++)
                    {
                        _sum[i] += _y[i];
                    }

                    averaged++;
                }

                VectorMath.AddScaled(_y, -tau, _Fy, _yNext);
                directionNorm = trace is null ? 0.0 : VectorMath.Norm2(_Fy);
                VectorMath.Swap(ref _Fy, ref _FyPrevious);
                FPrevious = F;
                previousWasUpper = true;
            }
            else
            {
                // A step on f: the paper's fixed tau, or Polyak's step onto the half-space where the linearisation of f is at
                // most g* - theta (it contains the level set {f <= g* - theta} when f is convex).
                double lowerStep = tau;
                if (polyak)
                {
                    double ss = Dsl.Dot(_gy, _gy);
                    lowerStep = ss > 0.0 ? (f - estimate + theta) / ss : tau;
                }

                VectorMath.AddScaled(_y, -lowerStep, _gy, _yNext);
                directionNorm = trace is null ? 0.0 : VectorMath.Norm2(_gy);
                previousWasUpper = false;
            }

            model.ProjectLower(_yNext);
            double fNext = model.LowerGradient(x, _yNext, _gx, _gyNext);
            Evaluations++;
            StepsTaken++;
            if (!Finite(fNext, _gyNext))
            {
                UpperSteps = upperSteps;
                NonFinite("f", fNext, _gyNext, $"switching step {k + 1}");
                return;
            }

            if (o.CheckConvexity && ViolatesConvexity(f, _gy, _y, fNext, _gyNext, _yNext, out double fCurvature, out double fGap))
            {
                UpperSteps = upperSteps;
                NotConvex("f", StepsTaken, fCurvature, fGap, model, x);
                return;
            }

            trace?.Step(model, x, _yNext, fNext, _gyNext, directionNorm, VectorMath.DistanceInf(_yNext, _y), _scratch);
            VectorMath.Swap(ref _y, ref _yNext);
            VectorMath.Swap(ref _gy, ref _gyNext);
            f = fNext;
            if (f < estimate)
            {
                // Any value f takes bounds min f from above: the estimate only improves.
                estimate = f;
                _y.AsSpan().CopyTo(_best);
            }
        }

        LowerEstimate = estimate;
        EstimateDrop = estimateAtWindow - estimate;
        UpperSteps = upperSteps;
        AveragedSteps = averaged;
        if (averaged == 0)
        {
            Shortfall = SgmShortfall.NoUpperStep;
            Finish(SolverStatus.LowerLevelNotConverged, model, x, _best);
            return;
        }

        Mean(averaged);
        model.ProjectLower(_output); // the mean of points of a convex Y lies in Y; this only removes rounding
        Finish(SolverStatus.Converged, model, x, _output);
        if (Status != SolverStatus.Converged)
        {
            return;
        }

        // Jensen: every averaged iterate has f <= (estimate at the window's start) + 2 theta, so for convex f so does their mean.
        double bound = estimateAtWindow + (2.0 * theta);
        double allowance = ConvexityMargin * (Math.Abs(estimateAtWindow) + Math.Abs(LowerValue) + (2.0 * theta));
        if (o.CheckConvexity && LowerValue > bound + allowance)
        {
            _convexityObjective = "f";
            _convexityStep = -1;
            _convexityValueGap = LowerValue - bound;
            Status = SolverStatus.AssumptionViolated;
            return;
        }

        if (EstimateDrop > theta)
        {
            Shortfall = SgmShortfall.EstimateUndershot;
            Status = SolverStatus.LowerLevelNotConverged;
        }
        else if (!polyak && WarmupLateDecrease > theta)
        {
            Shortfall = SgmShortfall.WarmupNotSettled;
            Status = SolverStatus.LowerLevelNotConverged;
        }
    }

    /// <summary>The message for the last run's status (allocates; call it once per result, not in loops).</summary>
    public string Describe(SgmOptions o)
    {
        string G(double v) => Fmt.G(v);
        string summary = $"f(x, y) = {G(LowerValue)} against the estimate g* = {G(LowerEstimate)} of min f(x, .) (theta = {G(o.Threshold)}), "
            + $"F(x, y) = {G(UpperValue)}, {UpperSteps} of {o.Steps} switching steps on F ({AveragedSteps} averaged), {StepsTaken} steps in all";
        switch (Status)
        {
            case SolverStatus.Converged:
                return $"SGM finished its {o.WarmupSteps} warm-up and {o.Steps} switching steps: y is the mean of the iterates of the averaging window "
                    + $"that were within 2 theta of the lower-level minimum and stepped on F; {summary}. (SGM has no a-posteriori optimality test: its accuracy is set "
                    + "by theta, the step size and the number of steps; see SgmOptions.)";
            case SolverStatus.LowerLevelNotConverged:
                return Shortfall switch
                {
                    SgmShortfall.NoUpperStep => $"SGM did not reach the lower-level level set f(x, y) <= g* + 2 theta in the last {o.Steps - (o.Steps - (int)Math.Ceiling(o.AveragedFraction * o.Steps))} "
                        + "switching steps, so it has no iterate to average; Y is the best lower-level point seen and is not a lower-level solution that "
                        + $"serves F. Increase Steps, or Threshold, or use LowerStep = Polyak (tau = {G(o.StepSize)}). {summary}.",
                    SgmShortfall.WarmupNotSettled => $"The warm-up had not settled: its best lower-level value still fell by {G(WarmupLateDecrease)} "
                        + $"(more than theta) over its last {o.WarmupSteps - (o.WarmupSteps / 2)} steps, so the estimate g* may be too high and Y "
                        + $"may not be lower-level optimal. Increase WarmupSteps or StepSize. {summary}.",
                    _ => $"The estimate g* of the lower-level minimum had not settled: it fell by {G(EstimateDrop)} (more than theta) while the averaged "
                        + $"iterates were collected, so some of them were accepted as lower-level optimal by a wrong estimate. Increase WarmupSteps, Steps or "
                        + $"StepSize. {summary}.",
                };
            case SolverStatus.AssumptionViolated:
                string level = _convexityObjective == "F" ? "upper-level objective F(x, .)" : "lower-level objective f(x, .)";
                string evidence = _convexityStep < 0
                    ? $"the mean of the averaged iterates has f = {G(LowerValue)}, {G(_convexityValueGap)} above the largest value a convex f could "
                        + "have there (every averaged iterate had f <= g* + 2 theta)"
                    : $"at step {_convexityStep} its gradient decreased along the step (<grad(y') - grad(y), y' - y> = {G(_convexityCurvature)}) "
                        + $"and its value fell {G(_convexityValueGap)} below its linearisation at y";
                return $"SGM assumes that the {level} is convex in y on the lower domain, but it is not: {evidence}. "
                    + "SGM and IGFM need a convex lower level (and an upper level convex in y) over a compact convex set; for a nonconvex "
                    + "lower level use BOME (which projects onto the lower domain), or BVFIM if the domain can be dropped.";
            case SolverStatus.Diverged:
                return $"SGM stopped because {_nonFiniteWhat}; Y is the last finite point and must not be used as a lower-level solution.";
            case SolverStatus.Cancelled:
                return $"SGM was cancelled after {StepsTaken} steps; Y is the best point so far and is not certified. {summary}.";
            default:
                return summary;
        }
    }

    private void Mean(int count)
    {
        double inverse = 1.0 / count;
        for (int i = 0; i < _n; i++)
        {
            _output[i] = _sum[i] * inverse;
        }
    }

    /// <summary>Copies <paramref name="point"/> to the output and evaluates F and f there.</summary>
    private void Finish(SolverStatus status, IBilevelKernels model, ReadOnlySpan<double> x, double[] point)
    {
        if (!ReferenceEquals(point, _output))
        {
            point.AsSpan().CopyTo(_output);
        }

        Status = status;
        UpperValue = model.UpperValue(x, _output);
        LowerValue = model.LowerValue(x, _output);
        Evaluations += 2;
        if (!double.IsFinite(UpperValue) || !double.IsFinite(LowerValue))
        {
            _nonFiniteWhat = $"F(x, y) = {InputValidation.Describe(UpperValue)} and f(x, y) = {InputValidation.Describe(LowerValue)} at its output point";
            Status = SolverStatus.Diverged;
        }
    }

    private void NonFinite(string objective, double value, ReadOnlySpan<double> gradient, string where)
    {
        string level = objective == "F" ? "upper-level" : "lower-level";
        _nonFiniteWhat = !double.IsFinite(value)
            ? $"the {level} value {objective}(x, y) at {where} is {InputValidation.Describe(value)}"
            : $"the {level} gradient d{objective}/dy at {where} has a non-finite entry ({VectorMath.FirstNonFinite(gradient)})";
        Status = SolverStatus.Diverged;
        _y.AsSpan().CopyTo(_output);
        UpperValue = double.NaN;
        LowerValue = double.NaN;
    }

    private void NotConvex(string objective, int step, double curvature, double gap, IBilevelKernels model, ReadOnlySpan<double> x)
    {
        _convexityObjective = objective;
        _convexityStep = step;
        _convexityCurvature = curvature;
        _convexityValueGap = gap;
        Finish(SolverStatus.AssumptionViolated, model, x, _y);
        Status = SolverStatus.AssumptionViolated;
    }

    /// <summary>
    /// Whether the pair (a, b) proves nonconvexity: both the gradient monotonicity &lt;gb - ga, b - a&gt; &gt;= 0 and the
    /// first-order inequality h(b) &gt;= h(a) + &lt;ga, b - a&gt; fail by more than a relative margin (each alone can fail
    /// by rounding where h is nearly linear). Both hold for every convex h and subgradients ga, gb.
    /// </summary>
    private static bool ViolatesConvexity(double ha, ReadOnlySpan<double> ga, ReadOnlySpan<double> a, double hb, ReadOnlySpan<double> gb, ReadOnlySpan<double> b, out double curvature, out double gap)
    {
        double gaD = 0.0;
        double gbD = 0.0;
        double dd = 0.0;
        double gaa = 0.0;
        double gbb = 0.0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = b[i] - a[i];
            gaD += ga[i] * d;
            gbD += gb[i] * d;
            dd += d * d;
            gaa += ga[i] * ga[i];
            gbb += gb[i] * gb[i];
        }

        curvature = gbD - gaD;
        gap = (ha + gaD) - hb;
        if (dd == 0.0 || curvature >= -ConvexityMargin * Math.Sqrt(dd) * (Math.Sqrt(gaa) + Math.Sqrt(gbb)))
        {
            return false;
        }

        return gap > ConvexityMargin * (Math.Abs(ha) + Math.Abs(hb) + Math.Abs(gaD));
    }

    private static bool Finite(double value, ReadOnlySpan<double> gradient) => double.IsFinite(value) && VectorMath.AllFinite(gradient);
}
