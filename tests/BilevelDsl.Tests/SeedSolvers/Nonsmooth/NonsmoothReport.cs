using System.Globalization;
using BilevelDsl.Solvers;
using BilevelDsl.Solvers.Inner;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.Tests.SeedSolvers.Nonsmooth;

/// <summary>
/// The table of docs/solvers.md ("SPNBO and SMNBP results"): both methods on larger instances and to smaller floors than
/// the tests use. It takes minutes, so it only runs when the environment variable BILEVELDSL_NONSMOOTH_REPORT is 1:
/// <c>dotnet build tests/BilevelDsl.Tests -c Release</c>, then
/// <c>dotnet test tests/BilevelDsl.Tests -c Release --no-build --filter "FullyQualifiedName~NonsmoothReport" -e BILEVELDSL_NONSMOOTH_REPORT=1 --logger "console;verbosity=detailed"</c>.
/// Otherwise it is reported as skipped (it asserts nothing; it only prints the table).
/// </summary>
public class NonsmoothReport(ITestOutputHelper output)
{
    private static string G(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    [ReportFact]
    public void SideBySide()
    {
        var cases = new (string Name, Func<NonsmoothProblem> Problem, DecaySchedule Mu, DecaySchedule SpnboEps, DecaySchedule SmnbpEps, double SmnbpStep, bool Lp)[]
        {
            ("lp, d = 12, N = 48 + 48 (test size)", () => NonsmoothProblems.LpRegression(), new(0.1, 0.5, 0.05), new(0.02, 0.5, 0.01), new(0.02, 0.5, 0.002), 1.0, true),
            ("lp, d = 12, N = 48 + 48, mu -> 0.01", () => NonsmoothProblems.LpRegression(startSmoothing: 0.01), new(0.1, 0.5, 0.01), new(0.02, 0.5, 0.005), new(0.02, 0.5, 0.002), 1.0, true),
            ("lp, d = 40, 5 non-zero, N = 160 + 160", () => NonsmoothProblems.LpRegression(features: 40, nonzeros: 5, samples: 160, startSmoothing: 0.05), new(0.1, 0.5, 0.05), new(0.02, 0.5, 0.01), new(0.02, 0.5, 0.002), 1.0, true),
            ("OSCAR, d = 6, 16 + 16 samples, 4 corrupted (test size)", () => NonsmoothProblems.OscarReweighting(), new(0.1, 0.5, 0.02), new(0.02, 0.5, 0.005), new(0.02, 0.5, 0.01), 2.0, false),
            ("OSCAR, d = 6, mu -> 0.005, eps -> 0.002", () => NonsmoothProblems.OscarReweighting(startSmoothing: 0.005), new(0.1, 0.5, 0.005), new(0.02, 0.5, 0.002), new(0.02, 0.5, 0.002), 2.0, false),
            ("OSCAR, d = 10, 40 + 40 samples, 10 corrupted", () => NonsmoothProblems.OscarReweighting(features: 10, samples: 40, corrupted: 10), new(0.1, 0.5, 0.02), new(0.02, 0.5, 0.005), new(0.02, 0.5, 0.01), 2.0, false),
        };

        output.WriteLine("| problem | method | status | rounds, (10) met | validation start -> end | time | sparsity / weights |");
        output.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var c in cases)
        {
            NonsmoothProblem problem = c.Problem();
            int samples = problem.X0.Length - 2;
            var spnbo = new SpnboOptions { Smoothing = c.Mu, Tolerance = c.SpnboEps, MaxInnerSteps = 200_000 };
            SpnboResult s = new SpnboSolver(spnbo).SolveDetailed(problem.Model, problem.X0, problem.Y0);
            int met = s.Rounds.Count(r => r.ConditionsMet);
            output.WriteLine($"| {c.Name} | SPNBO (B = 64) | {s.Result.Status} | {s.Rounds.Count}, {met} of {s.Rounds.Count} | {G(problem.StartValidation)} -> {G(s.Result.UpperValue)} | {s.Result.Elapsed.TotalSeconds:F2} s ({s.Rounds.Sum(r => r.Steps)} SCG steps) | {Structure(problem, s.Result, c.Lp, samples)} |");

            SmnbpOptions smnbp = NonsmoothRuns.WithStep(new SmnbpOptions { Smoothing = c.Mu, Tolerance = c.SmnbpEps }, c.SmnbpStep);
            SmnbpResult m = new SmnbpSolver(smnbp).SolveDetailed(problem.Model, problem.X0, problem.Y0);
            int converged = m.Rounds.Count(r => r.ConditionsMet);
            output.WriteLine($"| | SMNBP | {m.Result.Status} | {m.Rounds.Count}, {converged} of {m.Rounds.Count} converged | {G(problem.StartValidation)} -> {G(m.Result.UpperValue)} | {m.Result.Elapsed.TotalSeconds:F2} s ({m.Result.Iterations} x steps) | {Structure(problem, m.Result, c.Lp, samples)} |");
            foreach (SpnboRound r in s.Rounds)
            {
                output.WriteLine($"    SPNBO {r}");
            }

            foreach (SmnbpRound r in m.Rounds)
            {
                output.WriteLine($"    SMNBP {r}");
            }

            output.WriteLine($"    SPNBO: {s.Result.Message}");
            output.WriteLine($"    SMNBP: {m.Result.Message}");
        }
    }

    private static string Structure(NonsmoothProblem problem, BilevelResult result, bool lp, int samples)
    {
        if (lp)
        {
            int[] truth = NonsmoothRuns.Support(problem.TrueWeights);
            int[] found = NonsmoothRuns.Support(result.Y);
            int[] start = NonsmoothRuns.Support(problem.Y0);
            string same = truth.SequenceEqual(found) ? "= truth" : $"truth {{{string.Join(",", truth)}}}";
            double largestOff = Enumerable.Range(0, result.Y.Length).Where(j => !truth.Contains(j)).Select(j => Math.Abs(result.Y[j])).DefaultIfEmpty(0).Max();
            return $"support {{{string.Join(",", found)}}} {same} (start: {start.Length} non-zero); largest |w_j| off the truth {G(largestOff)}; lambda = {G(Math.Exp(result.X[0]))}";
        }

        int corrupted = samples / 4;
        double[] weights = NonsmoothRuns.SampleWeights(result.X, samples);
        double share = weights.Take(corrupted).Sum();
        return $"weight on the {corrupted} corrupted samples {G(share)} (start {G((double)corrupted / samples)})";
    }
}

/// <summary>A fact that runs only when BILEVELDSL_NONSMOOTH_REPORT=1, and is reported as skipped otherwise.</summary>
public sealed class ReportFactAttribute : FactAttribute
{
    public ReportFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("BILEVELDSL_NONSMOOTH_REPORT") != "1")
        {
            Skip = "documentation report: set BILEVELDSL_NONSMOOTH_REPORT=1 to run it";
        }
    }
}
