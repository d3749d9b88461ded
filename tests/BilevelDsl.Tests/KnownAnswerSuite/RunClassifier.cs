using BilevelDsl.Solvers;

namespace BilevelDsl.Tests.KnownAnswerSuite;

/// <summary>How one solver run on one known-answer problem ended, after the independent re-check.</summary>
public enum RunOutcome
{
    /// <summary>Converged; the re-check finds y lower-level optimal and feasible at x, and F = F*.</summary>
    Solved,

    /// <summary>Converged; y lower-level optimal, F above F*, and no probe of x +- h e_i (h = 1e-2, 1e-3) nor another y in S(x) improves it.</summary>
    Local,

    /// <summary>The status is not Converged (iteration limit, divergence, lower level not converged, cancelled).</summary>
    NotCertified,

    /// <summary>Converged, but the re-check fails: y is not lower-level optimal or feasible at x, or (x, y) is neither F* nor a local solution.</summary>
    WrongButConverged,

    /// <summary>AssumptionViolated or InvalidInput: the method declined the model.</summary>
    Refused,
}

/// <summary>One run and its re-check.</summary>
public sealed record RunRecord(
    string Problem,
    string Method,
    SolverStatus Status,
    RunOutcome Outcome,
    double UpperValue,
    double Gap,
    double Violation,
    bool LowerOptimal,
    bool AtKnownOptimum,
    TimeSpan Elapsed,
    string Reason);

/// <summary>
/// Classifies a solver result by re-solving the lower level globally at the returned x with
/// <see cref="LowerLevelReference"/> (values only, independent of the solvers' code).
/// Lower-level optimal means: violation of the constraints and the domain at most 1e-6 (1 + ||y||_inf), and
/// f(x, y) - v(x) at most 1e-5 (1 + |v(x)|). The known optimum means |F(x, y) - F*| &lt;= 1e-3 (1 + |F*|).
/// </summary>
public static class RunClassifier
{
    /// <summary>Relative tolerance of the lower-level optimality gap.</summary>
    public const double GapTolerance = 1e-5;

    /// <summary>Relative tolerance of the lower-level constraint violation.</summary>
    public const double FeasibilityTolerance = 1e-6;

    /// <summary>Relative tolerance on F for "the known optimum".</summary>
    public const double OptimumTolerance = 1e-3;

    /// <summary>Re-checks a result and classifies the run.</summary>
    public static RunRecord Classify(KnownAnswerProblem problem, string method, BilevelResult result)
    {
        IBilevelKernels model = problem.Create();
        if (result.Status is SolverStatus.AssumptionViolated or SolverStatus.InvalidInput)
        {
            return Record(RunOutcome.Refused, double.NaN, double.NaN, false, false, FirstLine(result.Message));
        }

        double[] x = result.X;
        double[] y = result.Y;
        if (!AllFinite(x) || !AllFinite(y) || x.Length != problem.XStar.Length || y.Length != problem.YStar.Length)
        {
            return Record(Uncertified(), double.NaN, double.NaN, false, false, "non-finite or mis-sized iterate");
        }

        var reference = new LowerLevelReference(model, problem.YLo, problem.YHi);
        LowerLevelReference.Solution lower = reference.Solve(x, y);
        double violation = reference.Violation(x, y);
        double f = model.LowerValue(x, y);
        double gap = lower.Feasible ? f - lower.Value : double.PositiveInfinity;
        bool feasible = violation <= FeasibilityTolerance * (1 + MaxAbs(y));
        bool lowerOptimal = feasible && lower.Feasible && gap <= GapTolerance * (1 + Math.Abs(lower.Value));
        double upper = model.UpperValue(x, y);
        bool atOptimum = lowerOptimal && Math.Abs(upper - problem.FStar) <= OptimumTolerance * (1 + Math.Abs(problem.FStar));

        if (result.Status != SolverStatus.Converged)
        {
            return Record(RunOutcome.NotCertified, gap, violation, lowerOptimal, atOptimum, result.Status.ToString());
        }

        if (!lowerOptimal)
        {
            string why = !lower.Feasible ? "the lower level has no feasible point at x"
                : !feasible ? $"y violates the lower-level constraints by {violation:G3}"
                : $"y is not lower-level optimal: f(x, y) - v(x) = {gap:G3}";
            return Record(RunOutcome.WrongButConverged, gap, violation, false, false, why);
        }

        if (atOptimum)
        {
            return Record(RunOutcome.Solved, gap, violation, true, true, "");
        }

        string? notLocal = LocalProbe(problem, model, reference, x, upper);
        return notLocal is null
            ? Record(RunOutcome.Local, gap, violation, true, false, $"F = {upper:G6} vs F* = {problem.FStar:G6}")
            : Record(RunOutcome.WrongButConverged, gap, violation, true, false, notLocal);

        RunOutcome Uncertified() => result.Status == SolverStatus.Converged ? RunOutcome.WrongButConverged : RunOutcome.NotCertified;

        RunRecord Record(RunOutcome outcome, double g, double viol, bool opt, bool known, string reason) =>
            new(problem.Id, method, result.Status, outcome, result.UpperValue, g, viol, opt, known, result.Elapsed, reason);
    }

    /// <summary>Null when (x, y) looks locally optimal for the optimistic problem; otherwise why not.</summary>
    private static string? LocalProbe(KnownAnswerProblem problem, IBilevelKernels model, LowerLevelReference reference, double[] x, double upper)
    {
        double tol = 1e-6 * (1 + Math.Abs(upper));
        LowerLevelReference.Solution here = reference.Solve(x);
        if (here.OptimisticF < upper - 1e-4 * (1 + Math.Abs(upper)))
        {
            return $"another lower-level solution at x gives F = {here.OptimisticF:G6} < {upper:G6}";
        }

        double[] probe = new double[x.Length];
        foreach (double scale in (double[])[1e-2, 1e-3])
        {
            for (int i = 0; i < x.Length; i++)
            {
                foreach (int sign in (int[])[-1, 1])
                {
                    x.CopyTo(probe, 0);
                    probe[i] += sign * scale * Math.Max(1, Math.Abs(x[i]));
                    model.ProjectUpper(probe);
                    LowerLevelReference.Solution near = reference.Solve(probe);
                    if (near.Feasible && near.OptimisticF < upper - tol)
                    {
                        return $"not a local solution: F = {near.OptimisticF:G6} at x + {sign * scale:G1} e_{i}, below {upper:G6}";
                    }
                }
            }
        }

        return null;
    }

    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\n', '.']);
        return end < 0 ? message : message[..end];
    }

    private static bool AllFinite(double[] v) => Array.TrueForAll(v, double.IsFinite);

    private static double MaxAbs(double[] v) => v.Length == 0 ? 0 : v.Max(Math.Abs);
}
