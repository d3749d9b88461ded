using BilevelDsl.Numerics;
using BilevelDsl.Solvers.Driver;

namespace BilevelDsl.Solvers;

/// <summary>Why an SGM run did not produce a trustworthy lower-level optimal point.</summary>
internal enum SgmShortfall
{
    /// <summary>Nothing went wrong.</summary>
    None,

    /// <summary>No switching step in the averaging window found the lower-level value within 2 theta of the estimate.</summary>
    NoUpperStep,

    /// <summary>The warm-up was still lowering the best lower-level value by more than theta in its second half.</summary>
    WarmupNotSettled,

    /// <summary>The estimate g* fell by more than theta while the averaged iterates were collected (it had not settled).</summary>
    EstimateUndershot,
}

/// <summary>
/// One SGM run's work arrays (allocated once, for one (m, n)) and the allocation-free algorithm; the outcome of the
/// last <see cref="Run"/> is kept in the properties, and <see cref="Describe"/> phrases it (allocating only then).
/// One instance serves one thread at a time; IGFM's parallel branches each own one.
/// </summary>
/// <remarks>
/// Notation: the paper calls the upper objective f and the lower one g; this library calls them F and f.
/// </remarks>
internal sealed partial class SgmWorkspace
{
    /// <summary>Relative margin by which the convexity inequalities must fail before nonconvexity is reported.</summary>
    private const double ConvexityMargin = 1e-6;

    private readonly int _n;
    private readonly double[] _gx;     // scratch d/dx of either objective (unused by SGM)
    private double[] _y;               // current iterate
    private double[] _yNext;           // next iterate (after a swap: the previous one)
    private double[] _gy;              // df/dy at _y
    private double[] _gyNext;          // df/dy at _yNext
    private double[] _Fy;              // dF/dy at _y (switching steps)
    private double[] _FyPrevious;      // dF/dy at the previous switching step's point
    private readonly double[] _best;   // warm-up point with the smallest f
    private readonly double[] _gyBest; // df/dy there
    private readonly double[] _sum;    // sum of the averaged iterates
    private readonly double[] _output; // y_out
    private readonly double[] _scratch;

    // Nonconvexity evidence of the last run.
    private string _convexityObjective = string.Empty;
    private int _convexityStep;
    private double _convexityCurvature;
    private double _convexityValueGap;

    // Non-finite evidence of the last run.
    private string _nonFiniteWhat = string.Empty;

    public SgmWorkspace(int m, int n)
    {
        _n = n;
        _gx = new double[m];
        _y = new double[n];
        _yNext = new double[n];
        _gy = new double[n];
        _gyNext = new double[n];
        _Fy = new double[n];
        _FyPrevious = new double[n];
        _best = new double[n];
        _gyBest = new double[n];
        _sum = new double[n];
        _output = new double[n];
        _scratch = new double[n];
    }

    /// <summary>y_out of the last run (for a run that did not finish: the best point it had).</summary>
    public double[] Output => _output;

    /// <summary>How the last run ended.</summary>
    public SolverStatus Status { get; private set; }

    /// <summary>For <see cref="SolverStatus.LowerLevelNotConverged"/>: why.</summary>
    public SgmShortfall Shortfall { get; private set; }

    /// <summary>F(x, y_out).</summary>
    public double UpperValue { get; private set; }

    /// <summary>f(x, y_out).</summary>
    public double LowerValue { get; private set; }

    /// <summary>The estimate g* of min_y f(x, y) at the end of the run (the smallest value f took: an upper bound on the minimum).</summary>
    public double LowerEstimate { get; private set; }

    /// <summary>How much the estimate g* fell while the averaged iterates were being collected.</summary>
    public double EstimateDrop { get; private set; }

    /// <summary>How many iterates were averaged into y_out (the steps on F in the averaging window).</summary>
    public int AveragedSteps { get; private set; }

    /// <summary>The drop of the best warm-up value over the warm-up's second half.</summary>
    public double WarmupLateDecrease { get; private set; }

    /// <summary>How many switching steps were steps on F (|I|; those in the averaging window are averaged).</summary>
    public int UpperSteps { get; private set; }

    /// <summary>(Sub)gradient steps taken (warm-up plus switching).</summary>
    public int StepsTaken { get; private set; }

    /// <summary>Kernel calls of the last run (values and gradients, each counted once).</summary>
    public int Evaluations { get; private set; }
}

/// <summary>Per-step history and progress of a standalone SGM run (<see cref="SgmSolver.Solve"/>), recorded in the driver's log.</summary>
internal sealed class SgmTrace(RunLog log)
{
    /// <summary>Records the step that produced <paramref name="y"/> (F is evaluated there; f and df/dy are given).</summary>
    public void Step(IBilevelKernels model, ReadOnlySpan<double> x, ReadOnlySpan<double> y, double f, ReadOnlySpan<double> gy, double directionNorm, double stepNorm, Span<double> scratch)
    {
        double F = model.UpperValue(x, y);

        // Lower stationarity: ||y - P(y - df/dy)||.
        VectorMath.AddScaled(y, -1.0, gy, scratch);
        model.ProjectLower(scratch);
        log.Complete(F, f, directionNorm, stepNorm, VectorMath.Distance(y, scratch), 1);
    }
}
