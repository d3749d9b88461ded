using BilevelDsl.Solvers;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.Tests.Solvers;

/// <summary>
/// The driver's wall-clock budget (<see cref="SolverOptions.MaxTime"/>, issue 12: "a status that ends early says which option
/// to change and to what"): a run out of time ends <see cref="SolverStatus.TimeLimit"/>, says how far it got and to raise
/// MaxTime; the caller's token still ends a run <see cref="SolverStatus.Cancelled"/>.
/// </summary>
public sealed class TimeBudgetTests(ITestOutputHelper output)
{
    /// <summary>Every iteration reported takes 30 ms here (a slow progress sink): a 10 ms budget runs out by the first (or, with JIT, before it).</summary>
    private static readonly Progress Slow = new(_ => Thread.Sleep(30));

    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(10);

    private static IBilevelSolver WithBudget(string name, TimeSpan budget) => name switch
    {
        "aid-cg" => new AidCgSolver(new AidCgOptions { MaxTime = budget }),
        "aid-neumann" => new AidNeumannSolver(new AidNeumannOptions { MaxTime = budget }),
        "rhg" => new RhgSolver(new RhgOptions { MaxTime = budget }),
        "trhg" => new TrhgSolver(new TrhgOptions { MaxTime = budget }),
        "fhg" => new FhgSolver(new FhgOptions { MaxTime = budget }),
        "bda" => new BdaSolver(new BdaOptions { MaxTime = budget }),
        "bvfim" => new BvfimSolver(new BvfimOptions { MaxTime = budget }),
        "bome" => new BomeSolver(new BomeOptions { MaxTime = budget }),
        "igfm" => new IgfmSolver(new IgfmOptions { MaxTime = budget }),
        "penalty" => new PenaltySolver(new PenaltyOptions { MaxTime = budget }),
        "cccp" => new CccpSolver(new CccpOptions { MaxTime = budget }),
        "sgm" => new SgmSolver(new SgmOptions { MaxTime = budget }),
        "spnbo" => new SpnboSolver(new SpnboOptions { MaxTime = budget }),
        "smnbp" => new SmnbpSolver(new SmnbpOptions { MaxTime = budget }),
        "kkt-mpec" => new KktMpecSolver(new KktMpecOptions { MaxTime = budget }),
        "auto" => new AutoSolver { MaxTime = budget },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown solver"),
    };

    public static TheoryData<string> Solvers() =>
        ["aid-cg", "aid-neumann", "rhg", "trhg", "fhg", "bda", "bvfim", "bome", "sgm", "igfm", "spnbo", "smnbp", "penalty", "cccp", "kkt-mpec", "auto"];

    [Theory]
    [MemberData(nameof(Solvers))]
    public void ARunOutOfTimeEndsTimeLimitSaysHowFarItGotAndToRaiseMaxTime(string name)
    {
        // KKT-MPEC (and AutoSolver, which picks it) solves an unconstrained quadratic lower level in one outer iteration, before
        // any budget can run out (it failed 1 run in 2 so); with a lower-level constraint its relaxation takes several.
        (IBilevelKernels model, double[] y0) = name switch
        {
            "sgm" or "igfm" => ((IBilevelKernels)new DriverBoxToy(), new double[2]),
            "kkt-mpec" or "auto" => (new SeedSolvers.FirstOrder.ConstrainedLower(), new double[1]),
            _ => (new DriverToy(), new double[2]),
        };
        BilevelResult r = WithBudget(name, Budget).Solve(model, [0.0], y0, Slow);
        output.WriteLine($"{name}: {r.Status} after {r.Iterations} iterations, {r.Elapsed.TotalMilliseconds:F0} ms: {r.Message}");
        Assert.Equal(SolverStatus.TimeLimit, r.Status);
        Assert.StartsWith(name == "auto" ? "AutoSolver chose" : "Time limit: the time budget of 0.01 s ran out after ", r.Message, StringComparison.Ordinal);
        Assert.Contains("To go on, raise MaxTime (now 0.01 s) to 0.04 s", r.Message, StringComparison.Ordinal);
        Assert.NotNull(r.Certificate);   // the returned point is checked, as after IterationLimit
        Assert.Contains(r.Certificate.Passed ? "passes the certificate" : "does not pass the certificate", r.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCallersTokenStillEndsTheRunCancelled()
    {
        using var source = new CancellationTokenSource();
        var cancelling = new Progress(_ => source.Cancel());
        BilevelResult r = new AidCgSolver(new AidCgOptions { MaxTime = TimeSpan.FromHours(1) }).Solve(new DriverToy(), [0.0], [0.0, 0.0], cancelling, source.Token);
        Assert.Equal(SolverStatus.Cancelled, r.Status);
        Assert.DoesNotContain("MaxTime", r.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutABudgetTheRunIsNotTimed()
    {
        BilevelResult r = new AidCgSolver().Solve(new DriverToy(), [0.0], [0.0, 0.0], Slow);
        Assert.Null(new AidCgOptions().MaxTime);
        Assert.Equal(SolverStatus.Converged, r.Status);
    }

    [Fact]
    public void ABudgetMustBePositive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AidCgSolver(new AidCgOptions { MaxTime = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KktMpecSolver(new KktMpecOptions { MaxTime = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AutoSolver { MaxTime = TimeSpan.Zero });
        Assert.Equal(SolverStatus.Converged, new AidCgSolver(new AidCgOptions { MaxTime = TimeSpan.MaxValue }).Solve(new DriverToy(), [0.0], [0.0, 0.0]).Status);
    }

    /// <summary>A synchronous progress sink (System.Progress would post to the thread pool).</summary>
    private sealed class Progress(Action<SolverProgress> report) : IProgress<SolverProgress>
    {
        public void Report(SolverProgress value) => report(value);
    }
}
