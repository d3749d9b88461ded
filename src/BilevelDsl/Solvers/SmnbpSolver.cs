// SMNBP: the smoothing method for nonsmooth bilevel programs of T. Okuno, A. Takeda, A. Kawana, M. Watanabe, "On
// lp-hyperparameter learning via bilevel nonsmooth optimization", JMLR 22 (2021), in the form the SPNBO paper runs it as
// its baseline (Section 5.1 of the SPNBO paper cited in SpnboSolver.cs: "for each given smoothing parameter, we solve the
// constrained problem using the Penalty method", with Adam for the upper variable).
//
// Update rule, round k = 0, 1, ...: mu_k = max(mu_1 d_mu^k, mu_floor), eps_k = max(eps_1 d_eps^k, eps_floor),
//   (x, y) <- Penalty method on  min Fmt.G(x, y) s.t. c(x, y; mu_k) = grad_y f_mu_k(x, y) = 0,  from the previous (x, y):
//     min_{x,y} F + (gamma/2) ||c||^2 with gamma raised to gamma_max (PenaltySolver: Mehra & Hamm; y sub-problem solved
//     before each x step), stopped when the projected x-gradient norm <= eps_k, ||grad_y (F + (gamma/2)||c||^2)|| <= eps_k
//     and ||c|| <= eps_k (the penalty analogue of the SPNBO conditions (10)).
// Converged once a round at the floors of both schedules converges; a round that does not converge ends the run with its
// status (LowerLevelNotConverged, IterationLimit, Diverged, Cancelled). Okuno et al. solve each smoothed problem by a
// different constrained method; like the SPNBO paper's experiments, this implementation uses the penalty method.
using BilevelDsl.Numerics;
using BilevelDsl.Solvers.Driver;

namespace BilevelDsl.Solvers;

/// <summary>
/// SMNBP (Okuno et al. 2021) as the SPNBO paper's baseline: for a decreasing smoothing parameter mu, the smoothed lower
/// level is replaced by its stationarity condition grad_y f_mu = 0 and the resulting single-level problem is solved by
/// the penalty method (<see cref="PenaltySolver"/>), warm-started from the previous mu. Deterministic: every penalty
/// gradient uses the full constraint Jacobian product (one Hessian-vector product with c).
/// </summary>
/// <remarks>
/// Needs the lower level's Hessian-vector products on the smoothed model, no lower domain and no lower-level constraints;
/// other models end with <see cref="SolverStatus.AssumptionViolated"/>. Result values are those of the exact model; the
/// history and progress are the penalty method's (values of the smoothed model), numbered across rounds.
/// <see cref="SmoothingRoundsSolver{TOptions, TRound, TResult}.SolveDetailed"/> also returns one record per round.
/// </remarks>
/// <param name="options">The settings, validated here.</param>
/// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
/// <exception cref="ArgumentOutOfRangeException">A setting is invalid.</exception>
public sealed class SmnbpSolver(SmnbpOptions options)
    : SmoothingRoundsSolver<SmnbpOptions, SmnbpRound, SmnbpResult>(options, "smnbp", "SMNBP")
{
    /// <summary>Creates a solver with the default <see cref="SmnbpOptions"/>.</summary>
    public SmnbpSolver()
        : this(new SmnbpOptions())
    {
    }

    private protected override int IterationLimit => Options.MaxRounds;

    private protected override double InitialSmoothing => Options.Smoothing.Initial;

    private protected override IterativeMethod CreateRounds(IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0, List<SmnbpRound> rounds) =>
        new Rounds(Options, model, x0, y0, rounds);

    private protected override SmnbpResult CreateResult(BilevelResult result, IReadOnlyList<SmnbpRound> rounds) => new() { Result = result, Rounds = rounds };

    /// <summary>One SMNBP round per driver step: a penalty solve of the mu-smoothed problem, warm-started.</summary>
    private sealed class Rounds(SmnbpOptions o, IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0, List<SmnbpRound> rounds) : IterativeMethod
    {
        private readonly double[] _x = x0.ToArray();
        private readonly double[] _y = y0.ToArray();
        private readonly double[] _gradX = new double[x0.Length];
        private readonly double[] _c = new double[y0.Length];

        public override ReadOnlySpan<double> CurrentX => _x;

        public override ReadOnlySpan<double> CurrentY => _y;

        public override StepOutcome Step(int k, CancellationToken cancellationToken)
        {
            double mu = o.Smoothing.ValueAt(k);
            double eps = o.Tolerance.ValueAt(k);
            var penalty = new PenaltySolver(o.PenaltyFor(mu, eps, warm: k > 0 && o.WarmStartPenalty));
            int before = Iterations;
            BilevelResult r = penalty.Solve(model, _x, _y, Log, cancellationToken); // its iterations go straight into this run's log
            int iterations = Iterations - before;
            r.X.AsSpan().CopyTo(_x);
            r.Y.AsSpan().CopyTo(_y);

            if (r.Status is SolverStatus.InvalidInput or SolverStatus.AssumptionViolated or SolverStatus.Cancelled or SolverStatus.Diverged)
            {
                return Finish(r.Status, $"SMNBP round {k + 1} (mu = {Fmt.G(mu)}, eps = {Fmt.G(eps)}), penalty method: {r.Message}", evaluate: r.Status is not (SolverStatus.InvalidInput or SolverStatus.Diverged));
            }

            model.WithSmoothing(mu).LowerGradient(_x, _y, _gradX, _c);
            double constraint = VectorMath.Norm2(_c);
            bool met = r.Status == SolverStatus.Converged;
            rounds.Add(new SmnbpRound(k + 1, mu, eps, r.Status, iterations, constraint, met, r.UpperValue, Log.Stopwatch.Elapsed));
            if (!met)
            {
                return Finish(r.Status, $"SMNBP round {k + 1} (mu = {Fmt.G(mu)}, eps = {Fmt.G(eps)}) did not converge; penalty method: {r.Message}");
            }

            return o.Smoothing.IsSettled(k) && o.Tolerance.IsSettled(k)
                ? Finish(SolverStatus.Converged, $"Converged after {k + 1} rounds: the penalty method converged at mu = {Fmt.G(mu)}, eps = {Fmt.G(eps)} (||grad_y f_mu|| = {Fmt.G(constraint)}).")
                : StepOutcome.Continue;
        }

        public override StepOutcome AtIterationLimit(int maxIterations, CancellationToken cancellationToken) =>
            Finish(SolverStatus.IterationLimit, $"Stopped after {o.MaxRounds} rounds before mu and eps reached their floors (mu = {Fmt.G(o.Smoothing.ValueAt(o.MaxRounds - 1))}, eps = {Fmt.G(o.Tolerance.ValueAt(o.MaxRounds - 1))}); every round converged. X and Y are the last iterate.");
    }
}
