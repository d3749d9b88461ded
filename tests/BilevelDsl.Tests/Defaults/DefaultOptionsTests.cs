using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using BilevelDsl.Numerics;
using BilevelDsl.Solvers;
using BilevelDsl.Tests.KnownAnswerSuite;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.Tests.Defaults;

/// <summary>
/// Issue 12, acceptance 3: with default options and no tuning, on ridge at three feature scales, a lasso, an |w|^(1/2)
/// problem, a ball- and a budget-constrained lower level, every method either refuses the model (its assumptions do not
/// cover it), reaches the grid optimum to 1e-3 with status Converged, or ends with another status whose message names
/// the option to change.
/// </summary>
[Collection(KnownAnswerSuiteCollection.Name)]
public sealed class DefaultOptionsTests(ITestOutputHelper output)
{
    private const double Accuracy = 1e-3;

    /// <summary>
    /// Every run's time budget, the one setting changed from the defaults (BVFIM on the lasso took 130 s and SMNBP 80 s on a
    /// loaded 2-core machine without one): <see cref="SolverOptions.MaxTime"/>, so that a run cut short ends
    /// <see cref="SolverStatus.TimeLimit"/> with a message that says how far it got and to raise MaxTime.
    /// </summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(5);

    /// <summary>A backstop only: a run still going after this (MaxTime not honoured) is cancelled through the token and fails the test.</summary>
    private static readonly TimeSpan Backstop = TimeSpan.FromSeconds(60);

    /// <summary>The sweep's 14 solvers, KKT-MPEC and AutoSolver, with default options except <see cref="Budget"/>.</summary>
    private static readonly IReadOnlyList<(string Name, Func<IBilevelSolver> Create)> Solvers =
    [
        ("AID-CG", () => new AidCgSolver(new AidCgOptions { MaxTime = Budget })),
        ("AID-Neumann", () => new AidNeumannSolver(new AidNeumannOptions { MaxTime = Budget })),
        ("RHG", () => new RhgSolver(new RhgOptions { MaxTime = Budget })),
        ("TRHG", () => new TrhgSolver(new TrhgOptions { MaxTime = Budget })),
        ("FHG", () => new FhgSolver(new FhgOptions { MaxTime = Budget })),
        ("BDA", () => new BdaSolver(new BdaOptions { MaxTime = Budget })),
        ("Penalty", () => new PenaltySolver(new PenaltyOptions { MaxTime = Budget })),
        ("BOME", () => new BomeSolver(new BomeOptions { MaxTime = Budget })),
        ("BVFIM", () => new BvfimSolver(new BvfimOptions { MaxTime = Budget })),
        ("SGM", () => new SgmSolver(new SgmOptions { MaxTime = Budget })),
        ("IGFM", () => new IgfmSolver(new IgfmOptions { MaxTime = Budget })),
        ("SPNBO", () => new SpnboSolver(new SpnboOptions { MaxTime = Budget })),
        ("SMNBP", () => new SmnbpSolver(new SmnbpOptions { MaxTime = Budget })),
        ("CCCP-BO", () => new CccpSolver(new CccpOptions { MaxTime = Budget })),
        ("KKT-MPEC", () => new KktMpecSolver(new KktMpecOptions { MaxTime = Budget })),
        ("Auto", () => new AutoSolver { MaxTime = Budget }),
    ];

    [Fact]
    public void EveryMethodReachesTheGridOptimumOrSaysWhatToChange()
    {
        IReadOnlyList<DefaultsProblem> problems = DefaultsProblems.All;
        double[] grid = problems.Select(p => p.GridOptimum()).ToArray();
        for (int k = 0; k < problems.Count; k++)
        {
            double cell = (problems[k].Hi - problems[k].Lo) / 400;
            Assert.True(grid[k] > problems[k].Lo + cell && grid[k] < problems[k].Hi - cell, $"{problems[k].Name}: grid optimum {grid[k]} on the edge of the grid");
        }

        // Closed forms of the constrained problems (see the models): the grid is right.
        Assert.Equal(3 / Math.Sqrt(5) / 1.1, grid[problems.ToList().FindIndex(p => p.Name.StartsWith("ball", StringComparison.Ordinal))], 1e-4);
        Assert.Equal(0.5, grid[problems.ToList().FindIndex(p => p.Name.StartsWith("budget", StringComparison.Ordinal))], 1e-4);

        Assert.Equal(SolverSweep.Solvers.Select(s => s.Name), Solvers.Select(s => s.Name));
        var jobs = (from k in Enumerable.Range(0, problems.Count) from s in Solvers select (k, s)).ToArray();
        var rows = new ConcurrentBag<(int Problem, string Method, BilevelResult Result, string? Failure)>();
        Parallel.ForEach(jobs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, job =>
        {
            (int k, (string name, Func<IBilevelSolver> create)) = job;
            DefaultsProblem p = problems[k];
            IBilevelSolver solver = create();
            using var cap = new CancellationTokenSource(Backstop);
            BilevelResult r = solver.Solve(p.Model, [p.X0], new double[p.N], progress: null, cancellationToken: cap.Token);
            rows.Add((k, name, r, Judge(solver, r, grid[k])));
        });

        var table = new StringBuilder();
        table.AppendLine("| problem | x_grid | method | status | x | abs(x - x_grid) | time (ms) | of which certificate (ms) |");
        table.AppendLine("|---|---|---|---|---|---|---|---|");
        var failures = new List<string>();
        foreach (var row in rows.OrderBy(r => r.Problem).ThenBy(r => Solvers.ToList().FindIndex(s => s.Name == r.Method)))
        {
            DefaultsProblem p = problems[row.Problem];
            double x = row.Result.X[0];
            string status = row.Result.Status switch
            {
                SolverStatus.AssumptionViolated => "refused",
                SolverStatus.Cancelled => "cancelled by the test's 60 s backstop",
                _ => row.Result.Status.ToString(),
            };
            table.AppendLine($"| {p.Name} | {grid[row.Problem]:F4} | {row.Method} | {status} | {x:G6} | {Math.Abs(x - grid[row.Problem]):G3} | {row.Result.Elapsed.TotalMilliseconds:F0} | {row.Result.Certificate?.Elapsed.TotalMilliseconds ?? 0:F0} |");
            if (row.Failure is not null)
            {
                failures.Add($"{row.Method} on {p.Name}: {row.Failure}");
            }
        }

        output.WriteLine(table.ToString());
        output.WriteLine("Messages of the runs that ended early:");
        foreach (var row in rows.Where(r => r.Result.Status is not (SolverStatus.Converged or SolverStatus.AssumptionViolated)).OrderBy(r => r.Problem))
        {
            output.WriteLine($"{row.Method} on {problems[row.Problem].Name}: {row.Result.Message}");
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // The constrained problems are covered: KKT-MPEC (convexity in y for fixed x) solves both; CCCP-BO refuses the ball,
        // whose constraint ||y||^2 - x^2 is not jointly convex in (x, y), and names KKT-MPEC. KKT-MPEC and AutoSolver (which
        // runs it) also solve ridge at every scale: at features x 10 only since the variable scaling of its relaxed problems
        // (before it: IterationLimit at x = 0.66, optimum 1.74).
        foreach (string name in (string[])["ball ||y|| <= x", "budget y1 + y2 <= 1", "ridge (features x 0.1)", "ridge (features x 1)", "ridge (features x 10)"])
        {
            int k = problems.ToList().FindIndex(p => p.Name == name);
            foreach (string method in (string[])["KKT-MPEC", "Auto"])
            {
                BilevelResult kkt = rows.Single(r => r.Problem == k && r.Method == method).Result;
                Assert.True(ConvergedAtOptimumOrOutOfTime(kkt, grid[k]), $"{method} on {name}: {kkt.Status} at {kkt.X[0]}");
            }
        }

        // The hypergradient methods on ridge x 1 and x 10: since the stall window counts only iterations whose lower level
        // misses the current tolerance and is not contracted by the iteration's lower-level work, RHG and FHG converge on
        // ridge x 1, and RHG, FHG and BDA end at the iteration limit 4e-4 from the optimum on ridge x 10, as AID does (all
        // of them ended LowerLevelNotConverged 0.4 to 1.6 away before).
        int ridge1 = problems.ToList().FindIndex(p => p.Name == "ridge (features x 1)");
        foreach (string method in (string[])["AID-CG", "AID-Neumann", "RHG", "FHG", "BDA", "Penalty"])
        {
            BilevelResult r = rows.Single(r => r.Problem == ridge1 && r.Method == method).Result;
            Assert.True(ConvergedAtOptimumOrOutOfTime(r, grid[ridge1]), $"{method} on ridge x 1: {r.Status} at {r.X[0]}");
        }

        int ridge10 = problems.ToList().FindIndex(p => p.Name == "ridge (features x 10)");
        foreach (string method in (string[])["AID-CG", "AID-Neumann", "RHG", "FHG", "BDA"])
        {
            BilevelResult r = rows.Single(r => r.Problem == ridge10 && r.Method == method).Result;
            bool near = r.Status is SolverStatus.Converged or SolverStatus.IterationLimit && Math.Abs(r.X[0] - grid[ridge10]) <= Accuracy;
            Assert.True(near || r.Status == SolverStatus.TimeLimit, $"{method} on ridge x 10: {r.Status} at {r.X[0]}");
        }

        // BVFIM needs continuously differentiable levels (Liu et al. 2021, Assumption 1): on the lasso it drifted with its
        // defaults (x = 9.37 after 4167 iterations), and on |w|^(1/2) it stopped on a plateau of phi. Both are refused now,
        // naming the methods for nonsmooth lower levels.
        foreach (string name in (string[])["lasso (10 features)", "|w|^0.5 (2 features)"])
        {
            int k = problems.ToList().FindIndex(p => p.Name == name);
            BilevelResult bvfim = rows.Single(r => r.Problem == k && r.Method == "BVFIM").Result;
            Assert.Equal(SolverStatus.AssumptionViolated, bvfim.Status);
            Assert.Contains("SPNBO or SMNBP", bvfim.Message, StringComparison.Ordinal);
        }

        BilevelResult cccpBall = rows.Single(r => problems[r.Problem].Name.StartsWith("ball", StringComparison.Ordinal) && r.Method == "CCCP-BO").Result;
        Assert.Equal(SolverStatus.AssumptionViolated, cccpBall.Status);
        Assert.Contains("KKT-MPEC", cccpBall.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// CCCP-BO on the budget problem stops (IterationLimit) in outer iteration 2, when its projection misses the 1e-10
    /// tolerances, and says to loosen them to 1e-7. Following that advice the run goes on, but slowly: the epsilon = 1e-6
    /// band around the value function lets x move about 1e-4 per step (x = 0.43 after 1000 iterations, 0.497 after 4000,
    /// measured 2026-12-06), so it ends IterationLimit again, with "raise MaxIterations". Pinned: neither run is a wrong
    /// Converged.
    /// </summary>
    [Fact]
    public void CccpOnTheBudgetSaysWhatToChangeAndFollowingItIsNeverAWrongConverged()
    {
        DefaultsProblem p = DefaultsProblems.All.Single(q => q.Name.StartsWith("budget", StringComparison.Ordinal));
        BilevelResult first = new CccpSolver().Solve(p.Model, [p.X0], new double[p.N]);
        Assert.NotEqual(SolverStatus.Converged, first.Status);
        Assert.Contains("Projection.StationarityTolerance and Projection.FeasibilityTolerance 1e-7", first.Message, StringComparison.Ordinal);

        var advised = new CccpOptions { Projection = new AugmentedLagrangianOptions { StationarityTolerance = 1e-7, FeasibilityTolerance = 1e-7 } };
        BilevelResult r = new CccpSolver(advised).Solve(p.Model, [p.X0], new double[p.N]);
        output.WriteLine($"CCCP-BO, projection tolerances 1e-7: {r.Status} at x = {r.X[0]:G8} in {r.Elapsed.TotalMilliseconds:F0} ms: {r.Message}");
        Assert.True(r.Status == SolverStatus.Converged ? Math.Abs(r.X[0] - 0.5) <= Accuracy : r.Message.Contains("MaxIterations", StringComparison.Ordinal), r.Message);
        Assert.True(r.X[0] > first.X[0], $"the advised run moved from {first.X[0]} to {r.X[0]}");
    }

    /// <summary>
    /// Converged within <see cref="Accuracy"/> of the grid optimum, or out of time: on a quiet machine these runs take 0.05-0.9 s
    /// of the 5 s budget, but the machine that runs the tests may be loaded many times over (a load average of 30 cut BDA and
    /// Penalty on ridge x 1 at 5 s once); what is pinned is that they no longer stop early with another status.
    /// </summary>
    private static bool ConvergedAtOptimumOrOutOfTime(BilevelResult r, double grid) =>
        (r.Status == SolverStatus.Converged && Math.Abs(r.X[0] - grid) <= Accuracy) || r.Status == SolverStatus.TimeLimit;

    /// <summary>
    /// Null when the run is acceptable: refused, Converged at the grid optimum, or any other status (TimeLimit included) with a
    /// message that names an option of the method's options record; otherwise why not. A run cancelled by the backstop fails.
    /// </summary>
    private static string? Judge(IBilevelSolver solver, BilevelResult r, double grid)
    {
        switch (r.Status)
        {
            case SolverStatus.AssumptionViolated:
                return null;
            case SolverStatus.Cancelled:
                return $"cancelled by the test's {Backstop.TotalSeconds} s backstop after {r.Elapsed.TotalSeconds:F1} s: MaxTime = {Budget.TotalSeconds} s was not honoured";
            case SolverStatus.Converged:
                double error = Math.Abs(r.X[0] - grid);
                return error <= Accuracy * Math.Max(1, Math.Abs(grid)) ? null : $"Converged at x = {r.X[0]:G6}, {error:G3} from the grid optimum {grid:G6}";
            default:
                // AutoSolver's message names an option of the method it ran (it has none of its own).
                IBilevelSolver named = solver is AutoSolver && r.Choice is not null
                    ? Solvers.Select(s => s.Create()).First(s => s.Name == r.Choice)
                    : solver;
                string? option = OptionNames(named).FirstOrDefault(o => r.Message.Contains(o, StringComparison.Ordinal));
                return option is not null ? null : $"{r.Status} without naming an option to change: {r.Message}";
        }
    }

    /// <summary>The public settings of the solver's options record and of the records it nests (LowerLevel, Certificate, ...).</summary>
    private static IEnumerable<string> OptionNames(IBilevelSolver solver)
    {
        Type? options = solver.GetType().GetProperty("Options", BindingFlags.Public | BindingFlags.Instance)?.PropertyType;
        if (options is null)
        {
            return [];
        }

        var names = new List<string>();
        foreach (PropertyInfo property in options.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            names.Add(property.Name);
            if (property.PropertyType.IsClass && property.PropertyType != typeof(string) && property.PropertyType.Namespace?.StartsWith("BilevelDsl", StringComparison.Ordinal) == true)
            {
                names.AddRange(property.PropertyType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(q => q.Name));
            }
        }

        return names.Where(n => n is not ("Default" or "Off" or "Enabled" or "RecordHistory")).Distinct();
    }
}
