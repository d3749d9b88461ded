using BilevelDsl.Solvers;
using Xunit;
using BilevelDsl.Solvers.Inner;

namespace BilevelDsl.Tests.SeedSolvers.Nonsmooth;

/// <summary>Progress reports collected synchronously (System.Progress would post them to the thread pool).</summary>
public sealed class ProgressLog : IProgress<SolverProgress>
{
    private readonly Action<SolverProgress>? _onReport;

    public ProgressLog(Action<SolverProgress>? onReport = null) => _onReport = onReport;

    public List<SolverProgress> Reports { get; } = [];

    public void Report(SolverProgress value)
    {
        Reports.Add(value);
        _onReport?.Invoke(value);
    }
}

/// <summary>A run: the problem, the solver's detailed result and the progress it reported.</summary>
public sealed record SpnboRun(NonsmoothProblem Problem, SpnboResult Outcome, ProgressLog Progress, SpnboOptions Options);

/// <summary>A run of SMNBP.</summary>
public sealed record SmnbpRun(NonsmoothProblem Problem, SmnbpResult Outcome, ProgressLog Progress, SmnbpOptions Options);

/// <summary>
/// The test-sized runs of both methods on both problems, computed once and shared by the test classes (each takes well
/// under ten seconds in a Debug build). The smoothing and tolerance floors are moderate; docs/solvers.md records runs to
/// smaller floors and larger sizes.
/// </summary>
public static class NonsmoothRuns
{
    /// <summary>SPNBO settings for the lp problem: mu 0.1 -> 0.05, eps 0.02 -> 0.01 (two rounds).</summary>
    public static SpnboOptions SpnboLpOptions { get; } = new()
    {
        Smoothing = new DecaySchedule(0.1, 0.5, 0.05),
        Tolerance = new DecaySchedule(0.02, 0.5, 0.01),
        MaxInnerSteps = 40_000,
    };

    /// <summary>SMNBP settings for the lp problem: the same mu schedule, eps 0.02 -> 0.002.</summary>
    public static SmnbpOptions SmnbpLpOptions { get; } = new()
    {
        Smoothing = new DecaySchedule(0.1, 0.5, 0.05),
        Tolerance = new DecaySchedule(0.02, 0.5, 0.002),
    };

    /// <summary>SPNBO settings for OSCAR re-weighting: mu 0.1 -> 0.02, eps 0.02 -> 0.005.</summary>
    public static SpnboOptions SpnboOscarOptions { get; } = new()
    {
        Smoothing = new DecaySchedule(0.1, 0.5, 0.02),
        Tolerance = new DecaySchedule(0.02, 0.5, 0.005),
        MaxInnerSteps = 40_000,
    };

    /// <summary>SMNBP settings for OSCAR re-weighting: the same schedules, gradient-descent x steps of 2.</summary>
    public static SmnbpOptions SmnbpOscarOptions { get; } = WithStep(
        new SmnbpOptions { Smoothing = new DecaySchedule(0.1, 0.5, 0.02), Tolerance = new DecaySchedule(0.02, 0.5, 0.01) },
        2.0);

    private static readonly Lazy<NonsmoothProblem> LpProblem = new(() => NonsmoothProblems.LpRegression());
    private static readonly Lazy<NonsmoothProblem> OscarProblem = new(() => NonsmoothProblems.OscarReweighting());
    private static readonly Lazy<SpnboRun> SpnboLpRun = new(() => RunSpnbo(LpProblem.Value, SpnboLpOptions));
    private static readonly Lazy<SmnbpRun> SmnbpLpRun = new(() => RunSmnbp(LpProblem.Value, SmnbpLpOptions));
    private static readonly Lazy<SpnboRun> SpnboOscarRun = new(() => RunSpnbo(OscarProblem.Value, SpnboOscarOptions));
    private static readonly Lazy<SmnbpRun> SmnbpOscarRun = new(() => RunSmnbp(OscarProblem.Value, SmnbpOscarOptions));

    public static NonsmoothProblem Lp => LpProblem.Value;

    public static NonsmoothProblem Oscar => OscarProblem.Value;

    public static SpnboRun SpnboLp => SpnboLpRun.Value;

    public static SmnbpRun SmnbpLp => SmnbpLpRun.Value;

    public static SpnboRun SpnboOscar => SpnboOscarRun.Value;

    public static SmnbpRun SmnbpOscar => SmnbpOscarRun.Value;

    public static SpnboRun RunSpnbo(NonsmoothProblem problem, SpnboOptions options)
    {
        var progress = new ProgressLog();
        SpnboResult outcome = new SpnboSolver(options).SolveDetailed(problem.Model, problem.X0, problem.Y0, progress);
        return new SpnboRun(problem, outcome, progress, options);
    }

    public static SmnbpRun RunSmnbp(NonsmoothProblem problem, SmnbpOptions options)
    {
        var progress = new ProgressLog();
        SmnbpResult outcome = new SmnbpSolver(options).SolveDetailed(problem.Model, problem.X0, problem.Y0, progress);
        return new SmnbpRun(problem, outcome, progress, options);
    }

    /// <summary>The options with gradient-descent x steps of the given size in the penalty method.</summary>
    public static SmnbpOptions WithStep(SmnbpOptions options, double step) =>
        options with { Penalty = options.Penalty with { Optimizer = new UpperOptimizerOptions { Kind = UpperOptimizerKind.GradientDescent, StepSize = step } } };

    /// <summary>Indices j with |w_j| above the threshold.</summary>
    public static int[] Support(ReadOnlySpan<double> w, double threshold = 0.1)
    {
        var support = new List<int>();
        for (int j = 0; j < w.Length; j++)
        {
            if (Math.Abs(w[j]) > threshold)
            {
                support.Add(j);
            }
        }

        return [.. support];
    }

    /// <summary>The softmax sample weights of the OSCAR model's x (the first <paramref name="samples"/> entries).</summary>
    public static double[] SampleWeights(ReadOnlySpan<double> x, int samples)
    {
        double max = double.NegativeInfinity;
        for (int i = 0; i < samples; i++)
        {
            max = Math.Max(max, x[i]);
        }

        var weights = new double[samples];
        double total = 0.0;
        for (int i = 0; i < samples; i++)
        {
            weights[i] = Math.Exp(x[i] - max);
            total += weights[i];
        }

        for (int i = 0; i < samples; i++)
        {
            weights[i] /= total;
        }

        return weights;
    }

    /// <summary>
    /// These runs stop, as the paper's experiments do, at a smoothing floor mu = 0.02 .. 0.05: the method's conditions hold for
    /// the smoothed problem, and the certificate (which re-solves the exact nonsmooth lower level) decides the status. A
    /// smoothed y is suboptimal for the exact lower level by O(mu) per term; the status must say whether it passed.
    /// </summary>
    public static void AssertConvergedAtTheSmoothingFloor(BilevelResult r)
    {
        Assert.Contains("Converged after", r.Message, StringComparison.Ordinal);
        SolutionCertificate? c = r.Certificate;
        Assert.NotNull(c);
        Assert.Equal(c.Passed ? SolverStatus.Converged : SolverStatus.NotCertified, r.Status);
        Assert.True(c.LowerGap < 0.1 * Math.Max(1.0, Math.Abs(c.LowerOptimalValue)), $"gap {c.LowerGap}");
        if (!c.Passed)
        {
            Assert.True(double.IsFinite(c.UpperValueAtLowerSolution));
        }
    }
}
