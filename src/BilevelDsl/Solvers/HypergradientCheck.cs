using BilevelDsl.Solvers.Inner;
using static BilevelDsl.Numerics.InputValidation;

namespace BilevelDsl.Solvers;

/// <summary>Settings of <see cref="HypergradientCheck"/>.</summary>
public sealed record HypergradientCheckOptions
{
    /// <summary>The central-difference step, relative: h_i = Step * max(1, |x_i|).</summary>
    public double Step { get; init; } = 1e-4;

    /// <summary>The lower-level stationarity to which y*(x +- h e_i) is solved.</summary>
    public double LowerTolerance { get; init; } = 1e-11;

    /// <summary>The lower-level solver (a long Nesterov run by default).</summary>
    public LowerSolverOptions LowerLevel { get; init; } = new() { MaxSteps = 200_000, StallWindow = 2000 };

    /// <summary>When positive, phi is that of model.WithSmoothing(mu).</summary>
    public double Smoothing { get; init; }

    /// <summary>Throws if a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is invalid.</exception>
    public void Validate()
    {
        RequirePositiveFinite(Step, nameof(Step));
        RequireNonNegative(LowerTolerance, nameof(LowerTolerance));
        if (LowerLevel is null || LowerLevel.MaxSteps == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(LowerLevel), "LowerLevel must be set, with MaxSteps > 0.");
        }

        LowerLevel.Validate();
        RequireNonNegativeFinite(Smoothing, nameof(Smoothing));
    }
}

/// <summary>The outcome of <see cref="HypergradientCheck.Compare"/>.</summary>
public sealed record HypergradientCheckResult
{
    /// <summary>The method's estimate (with its details).</summary>
    public required HypergradientEstimate Estimate { get; init; }

    /// <summary>Central differences (phi(x + h e_i) - phi(x - h e_i)) / (2 h), phi(x) = F(x, y*(x)).</summary>
    public required double[] FiniteDifference { get; init; }

    /// <summary>phi(x) = F(x, y*(x)), with y*(x) solved tightly from the start.</summary>
    public required double Phi { get; init; }

    /// <summary>||estimate - finite difference||.</summary>
    public required double AbsoluteError { get; init; }

    /// <summary>||estimate - finite difference|| / ||finite difference|| (infinite when the difference is 0 and the error is not).</summary>
    public required double RelativeError { get; init; }

    /// <summary>Whether every lower-level solve of the reference reached <see cref="HypergradientCheckOptions.LowerTolerance"/>.</summary>
    public required bool ReferenceConverged { get; init; }

    /// <summary>A one-line summary.</summary>
    public required string Message { get; init; }
}

/// <summary>
/// Compares a method's hypergradient at a point with central finite differences of the hyper-objective
/// phi(x) = F(x, y*(x)), each y*(x +- h e_i) solved tightly from y*(x) (so a nonconvex lower level stays on one branch of
/// solutions). Costs 2 m + 1 tight lower-level solves. The reference assumes a unique, smooth y*(x) near x and a point
/// whose neighbourhood lies inside the upper domain.
/// </summary>
public static class HypergradientCheck
{
    /// <summary>Runs the comparison at (x, y0): y0 starts both the method and the reference's lower-level solves.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid.</exception>
    public static HypergradientCheckResult Compare(
        IHypergradientEstimator method,
        IBilevelKernels model,
        ReadOnlySpan<double> x,
        ReadOnlySpan<double> y0,
        HypergradientCheckOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(model);
        options ??= new HypergradientCheckOptions();
        options.Validate();

        HypergradientEstimate estimate = method.EstimateHypergradient(model, x, y0, cancellationToken);
        IBilevelKernels reference = options.Smoothing > 0.0 ? model.WithSmoothing(options.Smoothing) : model;
        int m = x.Length;
        int n = y0.Length;
        double[] point = x.ToArray();
        double[] center = y0.ToArray();
        double[] y = new double[n];
        var objective = new LowerLevelObjective(reference, point, n);
        ILowerLevelSolver solver = options.LowerLevel.Create(n);
        InnerStoppingRule rule = options.LowerLevel.Rule(options.LowerTolerance);

        bool converged = true;
        InnerSolveResult r = solver.Minimize(objective, center, rule, cancellationToken);
        converged &= r.Status == InnerSolveStatus.Converged;
        double phi = reference.UpperValue(point, center);

        double[] fd = new double[m];
        for (int i = 0; i < m; i++)
        {
            double h = options.Step * Math.Max(1.0, Math.Abs(x[i]));
            double plus = Phi(i, x[i] + h);
            double minus = Phi(i, x[i] - h);
            fd[i] = (plus - minus) / (2.0 * h);
            point[i] = x[i];
        }

        double absolute = 0.0;
        double norm = 0.0;
        for (int i = 0; i < m; i++)
        {
            double d = estimate.Gradient[i] - fd[i];
            absolute += d * d;
            norm += fd[i] * fd[i];
        }

        absolute = Math.Sqrt(absolute);
        norm = Math.Sqrt(norm);
        double relative = norm > 0.0 ? absolute / norm : absolute == 0.0 ? 0.0 : double.PositiveInfinity;
        if (double.IsNaN(absolute))
        {
            relative = double.NaN;
        }

        return new HypergradientCheckResult
        {
            Estimate = estimate,
            FiniteDifference = fd,
            Phi = phi,
            AbsoluteError = absolute,
            RelativeError = relative,
            ReferenceConverged = converged,
            Message = $"{method.MethodName}: relative error {HypergradientSolver.Format(relative)} (absolute {HypergradientSolver.Format(absolute)}, |finite difference| {HypergradientSolver.Format(norm)}); "
                + $"estimate status {estimate.Status}; reference lower-level solves {(converged ? "converged" : "NOT converged")}.",
        };

        double Phi(int i, double value)
        {
            point[i] = value;
            center.AsSpan().CopyTo(y);
            solver.Reset();
            InnerSolveResult result = solver.Minimize(objective, y, rule, cancellationToken);
            converged &= result.Status == InnerSolveStatus.Converged;
            return reference.UpperValue(point, y);
        }
    }
}
