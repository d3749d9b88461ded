// SGM: Switching Gradient Method for the simple bilevel problem P1 at a fixed x (Algorithm 1 of
// L. Chen, J. Xu, J. Zhang, "Bilevel optimization without lower-level strong convexity from the hyper-objective perspective", arXiv:2301.00712 (2023); after Polyak's switching gradient method for functional constraints).
//
// Notation: F = upper objective, f = lower objective (the paper writes f and g). For a fixed x, find
//   y in argmin { F(x, y) : y in Y*(x) },  Y*(x) = argmin_{y in Y} f(x, y),
// i.e. the lower-level optimal point that best serves the upper level. Update rule (Algorithm 1):
//   warm-up   yh_{k+1} = P_Y(yh_k - tau df/dy(x, yh_k)),  k = 0..K0-1;   g* = f(x, yh_K0)
//   switching for k = 0..K-1:
//               if f(x, y_k) - g* <= 2 theta:  y_{k+1} = P_Y(y_k - tau dF/dy(x, y_k)),  I = I + {k}
//               else                           y_{k+1} = P_Y(y_k - tau df/dy(x, y_k))
//   output    y_out = (1/|I|) sum_{k in I} y_k
// Assumptions (Assumption 6.1 of the paper): F(x, .) and f(x, .) convex in y; Y compact and convex; F Lipschitz;
// f(x, .) Lipschitz on Y with a dominant-gradient or weak-sharp minimum. (Sub)gradients suffice: nonsmooth objectives
// are fine. Checked before the run: a declared lower domain that is bounded, no lower-level constraints. Checked during
// the run from quantities SGM computes anyway: convexity along the iterates (SgmOptions.CheckConvexity).
// Deviations from the paper (each one can be switched back in SgmOptions except the first two):
//  * g* is the smallest value f took (the paper takes the last warm-up value; equal for smooth f and tau <= 1/L), and it keeps
//    being lowered during the switching phase whenever f takes a smaller value (any value of f bounds min f from above).
//    The switching phase starts at the best warm-up point instead of y0.
//  * Warm-up: the step is halved after WarmupPatience steps without a new smallest value (fixed subgradient steps circle a
//    sharp minimum at a distance of order tau and never estimate g* better than that). WarmupPatience = 0: the paper's rule.
//  * Steps on f in the switching phase use Polyak's step (f(x, y) - g* + theta) / ||s||^2 onto the half-space where the
//    linearisation of f is at most g* - theta (LowerStep = Polyak, the default; Fixed is the paper's tau): it returns to the
//    2 theta level set in one step at a sharp minimum, halves the gap per step at a quadratic one, and probes below g*.
//  * y_out averages the steps on F of the last AveragedFraction of the switching phase (the paper: all of them, 1.0), which
//    drops the start's transient (an O(1/|I|) error of the mean).
//  * The run is reported as LowerLevelNotConverged (never silently) when no step on F fell in the averaging window, when g*
//    fell by more than theta while the averaged iterates were collected (they were judged by a wrong estimate), or (with the
//    fixed lower step) when the warm-up was still improving by more than theta in its second half.
using System.Diagnostics;
using BilevelDsl.Numerics;
using BilevelDsl.Solvers.Driver;

namespace BilevelDsl.Solvers;

/// <summary>
/// The outcome of <see cref="SgmSolver.FindLowerOptimal"/>: a lower-level optimal point that (approximately) minimises
/// the upper objective over the lower-level solution set at a fixed x.
/// </summary>
public sealed record SgmResult
{
    /// <summary>y_out (a fresh array owned by the caller); for a failed run the best point the run had.</summary>
    public required double[] Y { get; init; }

    /// <summary>F(x, Y): the estimate phi~(x) of the hyper-objective phi(x) = min over Y*(x) of F(x, .).</summary>
    public required double UpperValue { get; init; }

    /// <summary>f(x, Y).</summary>
    public required double LowerValue { get; init; }

    /// <summary>The final estimate g* of min_y f(x, y) (the smallest value f took, so an upper bound on the minimum); NaN if the warm-up did not finish.</summary>
    public required double LowerValueEstimate { get; init; }

    /// <summary>How many switching steps were steps on F (|I|); y_out averages those in the averaging window (SgmOptions.AveragedFraction).</summary>
    public required int UpperSteps { get; init; }

    /// <summary>(Sub)gradient steps taken, warm-up and switching.</summary>
    public required int Steps { get; init; }

    /// <summary>
    /// <see cref="SolverStatus.Converged"/> when the run completed and none of the failure tests fired;
    /// <see cref="SolverStatus.LowerLevelNotConverged"/>, <see cref="SolverStatus.AssumptionViolated"/>,
    /// <see cref="SolverStatus.Diverged"/>, <see cref="SolverStatus.InvalidInput"/> or <see cref="SolverStatus.Cancelled"/> otherwise
    /// (see <see cref="Message"/>).
    /// </summary>
    public required SolverStatus Status { get; init; }

    /// <summary>A human-readable account of the outcome.</summary>
    public required string Message { get; init; }

    /// <summary>Wall-clock duration.</summary>
    public required TimeSpan Elapsed { get; init; }
}

/// <summary>
/// The switching gradient method (SGM): for a fixed upper variable x, a point of the lower-level solution set at which
/// the upper objective is smallest, without lower-level strong convexity. Usable on its own
/// (<see cref="FindLowerOptimal"/>, or <see cref="Solve"/>, which keeps x = x0) and as IGFM's sub-routine.
/// </summary>
/// <remarks>
/// Assumes F(x, .) and f(x, .) convex in y over a compact convex lower domain declared on the model
/// ([LowerBounds(lo, hi)] with finite bounds, or a [LowerProjection]); models without one, with an unbounded one, or with
/// lower-level constraints are refused with <see cref="SolverStatus.AssumptionViolated"/>. Nonconvexity met along the
/// iterates is reported the same way. Work arrays are allocated once per call; the step loops do not allocate.
/// </remarks>
/// <param name="options">The settings, validated here.</param>
/// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
/// <exception cref="ArgumentOutOfRangeException">A setting is invalid.</exception>
public sealed class SgmSolver(SgmOptions options) : DrivenSolver<SgmOptions>(options, "sgm", "SGM")
{
    /// <summary>Creates a solver with the default <see cref="SgmOptions"/>.</summary>
    public SgmSolver()
        : this(new SgmOptions())
    {
    }

    /// <summary>
    /// Runs SGM at the fixed upper variable <paramref name="x"/> from <paramref name="y0"/> (projected onto the lower
    /// domain first) and returns y_out with its objective values and status. Never throws for a bad model or start:
    /// those are reported through <see cref="SgmResult.Status"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    public SgmResult FindLowerOptimal(IBilevelKernels model, ReadOnlySpan<double> x, ReadOnlySpan<double> y0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var stopwatch = Stopwatch.StartNew();
        (SolverStatus status, string message, double[] y, SgmWorkspace? work) = Execute(model, x, y0, null, cancellationToken, "x");
        return new SgmResult
        {
            Y = y,
            UpperValue = work?.UpperValue ?? double.NaN,
            LowerValue = work?.LowerValue ?? double.NaN,
            LowerValueEstimate = work?.LowerEstimate ?? double.NaN,
            UpperSteps = work?.UpperSteps ?? 0,
            Steps = work?.StepsTaken ?? 0,
            Status = status,
            Message = message,
            Elapsed = stopwatch.Elapsed,
        };
    }

    /// <summary>
    /// Runs SGM at x = <paramref name="x0"/>, which is not changed: SGM solves the lower-level problem "best for the upper
    /// level" at a fixed x (use <see cref="IgfmSolver"/> to optimise x). Each warm-up and switching step counts as one
    /// iteration in <see cref="BilevelResult.History"/> and progress: F and f at the new y, the norm of the (sub)gradient
    /// stepped along, and (in StepNorm) the largest change of an entry of y.
    /// </summary>
    private protected override int IterationLimit => 1;

    private protected override string? Assumptions(IBilevelKernels model, int lowerDimension) => SgmDomainCheck.Check(model, new double[lowerDimension], "SGM");

    private protected override LowerConvexityNeed ConvexityNeed => LowerConvexityNeed.Convex;

    private protected override IterativeMethod Create(IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0) =>
        new Run(model, Options, x0, y0);

    /// <summary>
    /// SGM at the fixed x0 as one driver step: Algorithm 1's warm-up and switching phases, each SGM step recorded in the
    /// run's log (with F evaluated there) when history or progress is wanted.
    /// </summary>
    private sealed class Run(IBilevelKernels model, SgmOptions options, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0) : IterativeMethod
    {
        private readonly double[] _x = x0.ToArray();
        private readonly double[] _y0 = y0.ToArray();
        private SgmWorkspace? _work;

        public override ReadOnlySpan<double> CurrentX => _x;

        public override ReadOnlySpan<double> CurrentY => _work is null ? _y0 : _work.Output;

        public override StepOutcome Step(int k, CancellationToken cancellationToken)
        {
            bool traced = Log.IsObserved;
            _work = new SgmWorkspace(_x.Length, _y0.Length);
            _work.Run(model, _x, _y0, options, cancellationToken, traced ? new SgmTrace(Log) : null);
            if (!traced)
            {
                Log.Count(_work.StepsTaken);
            }

            return Finish(_work.Status, _work.Describe(options), evaluate: _work.Status is not (SolverStatus.Diverged or SolverStatus.InvalidInput));
        }

        public override StepOutcome AtIterationLimit(int maxIterations, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("SGM's single step always ends the run.");
    }

    private (SolverStatus Status, string Message, double[] Y, SgmWorkspace? Work) Execute(
        IBilevelKernels model, ReadOnlySpan<double> x, ReadOnlySpan<double> y0, SgmTrace? trace, CancellationToken cancellationToken, string xName)
    {
        string? invalid = InputValidation.CheckStart(x, "x0")?.Replace("x0", xName, StringComparison.Ordinal) ?? InputValidation.CheckStart(y0, nameof(y0));
        if (invalid is not null)
        {
            return (SolverStatus.InvalidInput, "Invalid input: " + invalid, y0.ToArray(), null);
        }

        try
        {
            string? refused = SgmDomainCheck.Check(model, new double[y0.Length], "SGM");
            if (refused is not null)
            {
                return (SolverStatus.AssumptionViolated, refused, y0.ToArray(), null);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return (SolverStatus.Cancelled, "SGM was cancelled before its first step; Y is the start.", y0.ToArray(), null);
            }

            var work = new SgmWorkspace(x.Length, y0.Length);
            work.Run(model, x, y0, Options, cancellationToken, trace);
            return (work.Status, work.Describe(Options), (double[])work.Output.Clone(), work);
        }
        catch (ArgumentException ex)
        {
            // Generated kernels reject spans of the wrong length with ArgumentException.
            return (SolverStatus.InvalidInput, $"Invalid input: the model threw an ArgumentException ({xName} has length {x.Length}, y0 has length {y0.Length}): {ex.Message}", y0.ToArray(), null);
        }
    }
}
