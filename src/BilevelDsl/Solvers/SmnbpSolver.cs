// SMNBP: the smoothing method for nonsmooth bilevel programs of T. Okuno, A. Takeda, A. Kawana, M. Watanabe, "On
// lp-hyperparameter learning via bilevel nonsmooth optimization", JMLR 22 (2021), in the form the SPNBO seed runs it as
// its baseline (shared/seeds/spnbo-nonsmooth-lower-level.txt, section 5.1: "for each given smoothing parameter, we
// solve the constrained problem using the Penalty method", with Adam for the upper variable).
//
// Update rule, round k = 0, 1, ...: mu_k = max(mu_1 d_mu^k, mu_floor), eps_k = max(eps_1 d_eps^k, eps_floor),
//   (x, y) <- Penalty method on  min F(x, y) s.t. c(x, y; mu_k) = grad_y f_mu_k(x, y) = 0,  from the previous (x, y):
//     min_{x,y} F + (gamma/2) ||c||^2 with gamma raised to gamma_max (PenaltySolver: Mehra & Hamm; y sub-problem solved
//     before each x step), stopped when the projected x-gradient norm <= eps_k, ||grad_y (F + (gamma/2)||c||^2)|| <= eps_k
//     and ||c|| <= eps_k (the penalty analogue of the SPNBO conditions (10)).
// Converged once a round at the floors of both schedules converges; a round that does not converge ends the run with its
// status (LowerLevelNotConverged, IterationLimit, Diverged, Cancelled). Okuno et al. solve each smoothed problem by a
// different constrained method; like the seed's experiments, this implementation uses the penalty method.
using System.Diagnostics;
using System.Globalization;
using BilevelDsl.Numerics;
using BilevelDsl.Solvers.Inner;

namespace BilevelDsl.Solvers;

/// <summary>
/// SMNBP (Okuno et al. 2021) as the SPNBO seed's baseline: for a decreasing smoothing parameter mu, the smoothed lower
/// level is replaced by its stationarity condition grad_y f_mu = 0 and the resulting single-level problem is solved by
/// the penalty method (<see cref="PenaltySolver"/>), warm-started from the previous mu. Deterministic: every penalty
/// gradient uses the full constraint Jacobian product (one Hessian-vector product with c).
/// </summary>
/// <remarks>
/// Needs the lower level's Hessian-vector products on the smoothed model, no lower domain and no lower-level constraints;
/// other models end with <see cref="SolverStatus.AssumptionViolated"/>. Result values are those of the exact model; the
/// history and progress are the penalty method's (values of the smoothed model), numbered across rounds.
/// <see cref="SolveDetailed"/> also returns one record per round.
/// </remarks>
public sealed class SmnbpSolver : IBilevelSolver
{
    /// <inheritdoc/>
    public string Name => "smnbp";

    /// <summary>The method's name, as used in messages.</summary>
    public const string MethodName = "SMNBP";

    private readonly SmnbpOptions _options;

    /// <summary>Creates a solver with the default <see cref="SmnbpOptions"/>.</summary>
    public SmnbpSolver()
        : this(new SmnbpOptions())
    {
    }

    /// <summary>Creates a solver with the given options.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is invalid.</exception>
    public SmnbpSolver(SmnbpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>The options this solver runs with.</summary>
    public SmnbpOptions Options => _options;

    /// <inheritdoc />
    public BilevelResult Solve(
        IBilevelKernels model,
        ReadOnlySpan<double> x0,
        ReadOnlySpan<double> y0,
        IProgress<SolverProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        SolveDetailed(model, x0, y0, progress, cancellationToken).Result;

    /// <summary>As <see cref="Solve"/>, and also returns one <see cref="SmnbpRound"/> per round (mu, eps, the penalty solve's status).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    public SmnbpResult SolveDetailed(
        IBilevelKernels model,
        ReadOnlySpan<double> x0,
        ReadOnlySpan<double> y0,
        IProgress<SolverProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var stopwatch = Stopwatch.StartNew();
        var rounds = new List<SmnbpRound>(_options.MaxRounds);
        string? invalid = InputValidation.CheckStart(x0, nameof(x0)) ?? InputValidation.CheckStart(y0, nameof(y0));
        if (invalid is not null)
        {
            return Wrap(RunRecorder.Rejected(x0, y0, SolverStatus.InvalidInput, "Invalid input: " + invalid, stopwatch), rounds);
        }

        string? violation = ModelAssumptions.Check(model, MethodName, nameof(SmnbpOptions), _options.Smoothing.Initial, needsSmoothUpper: false, allowsLowerDomain: false);
        if (violation is not null)
        {
            return Wrap(RunRecorder.Rejected(x0, y0, SolverStatus.AssumptionViolated, "Assumption violated: " + violation, stopwatch), rounds);
        }

        SmnbpOptions o = _options;
        var history = new List<IterationRecord>(o.RecordHistory ? Math.Min(o.MaxRounds * o.Penalty.MaxIterations, 1 << 16) : 0);
        double[] x = x0.ToArray();
        double[] y = y0.ToArray();
        var gradX = new double[x.Length];
        var c = new double[y.Length];
        BilevelResult? last = null;
        int total = 0;
        for (int k = 0; k < o.MaxRounds; k++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return Wrap(Result(last, x, y, SolverStatus.Cancelled, $"Cancelled after {k} rounds; X and Y are the last iterate.", total, history, stopwatch, model), rounds);
            }

            double mu = o.Smoothing.ValueAt(k);
            double eps = o.Tolerance.ValueAt(k);
            var penalty = new PenaltySolver(o.PenaltyFor(mu, eps, warm: k > 0 && o.WarmStartPenalty));
            int offset = total;
            TimeSpan started = stopwatch.Elapsed;
            IProgress<SolverProgress>? relay = progress is null ? null : new Relay(progress, offset, started);
            BilevelResult r = penalty.Solve(model, x, y, relay, cancellationToken);
            last = r;
            total += r.Iterations;
            r.X.AsSpan().CopyTo(x);
            r.Y.AsSpan().CopyTo(y);
            if (o.RecordHistory)
            {
                foreach (IterationRecord record in r.History)
                {
                    history.Add(record with { Iteration = offset + record.Iteration, Elapsed = started + record.Elapsed });
                }
            }

            if (r.Status is SolverStatus.InvalidInput or SolverStatus.AssumptionViolated or SolverStatus.Cancelled or SolverStatus.Diverged)
            {
                return Wrap(Result(r, x, y, r.Status, $"SMNBP round {k + 1} (mu = {F(mu)}, eps = {F(eps)}), penalty method: {r.Message}", total, history, stopwatch, model), rounds);
            }

            double constraint = double.NaN;
            try
            {
                model.WithSmoothing(mu).LowerGradient(x, y, gradX, c);
                constraint = VectorMath.Norm2(c);
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
            {
                // unreachable after a successful penalty solve; leave the norm unmeasured
            }

            bool met = r.Status == SolverStatus.Converged;
            rounds.Add(new SmnbpRound(k + 1, mu, eps, r.Status, r.Iterations, constraint, met, r.UpperValue, stopwatch.Elapsed));
            if (!met)
            {
                return Wrap(Result(r, x, y, r.Status, $"SMNBP round {k + 1} (mu = {F(mu)}, eps = {F(eps)}) did not converge; penalty method: {r.Message}", total, history, stopwatch, model), rounds);
            }

            if (o.Smoothing.IsSettled(k) && o.Tolerance.IsSettled(k))
            {
                return Wrap(Result(r, x, y, SolverStatus.Converged, $"Converged after {k + 1} rounds: the penalty method converged at mu = {F(mu)}, eps = {F(eps)} (||grad_y f_mu|| = {F(constraint)}).", total, history, stopwatch, model), rounds);
            }
        }

        return Wrap(
            Result(last, x, y, SolverStatus.IterationLimit, $"Stopped after {o.MaxRounds} rounds before mu and eps reached their floors (mu = {F(o.Smoothing.ValueAt(o.MaxRounds - 1))}, eps = {F(o.Tolerance.ValueAt(o.MaxRounds - 1))}); every round converged. X and Y are the last iterate.", total, history, stopwatch, model),
            rounds);
    }

    private static SmnbpResult Wrap(BilevelResult result, List<SmnbpRound> rounds) => new() { Result = result, Rounds = rounds.AsReadOnly() };

    private static string F(double value) => value.ToString("G3", CultureInfo.InvariantCulture);

    /// <summary>The run's result at (x, y): the last round's values when there was one, otherwise those of the exact model.</summary>
    private static BilevelResult Result(BilevelResult? last, double[] x, double[] y, SolverStatus status, string message, int iterations, List<IterationRecord> history, Stopwatch stopwatch, IBilevelKernels model)
    {
        double upper = last?.UpperValue ?? double.NaN;
        double lower = last?.LowerValue ?? double.NaN;
        if (last is null)
        {
            upper = model.UpperValue(x, y);
            lower = model.LowerValue(x, y);
        }

        return new BilevelResult
        {
            X = (double[])x.Clone(),
            Y = (double[])y.Clone(),
            UpperValue = upper,
            LowerValue = lower,
            Status = status,
            Iterations = iterations,
            Elapsed = stopwatch.Elapsed,
            History = history.AsReadOnly(),
            Message = message,
        };
    }

    /// <summary>Forwards the penalty method's progress, numbered across rounds and timed from the start of the SMNBP solve.</summary>
    private sealed class Relay(IProgress<SolverProgress> inner, int offset, TimeSpan started) : IProgress<SolverProgress>
    {
        public void Report(SolverProgress value) => inner.Report(value with { Iteration = offset + value.Iteration, Elapsed = started + value.Elapsed });
    }
}
