using BilevelDsl.Solvers.Driver;
using BilevelDsl.Solvers.Inner;

namespace BilevelDsl.Solvers;

/// <summary>
/// The public face shared by the nonsmooth methods that run in rounds of decreasing smoothing mu (SPNBO, SMNBP): each
/// round solves the problem smoothed with mu_k to the round's tolerance, warm-started from the previous round; the
/// driver runs one round per step. Needs the lower level's Hessian-vector products on the smoothed model, no lower
/// domain and no lower-level constraints; other models end with <see cref="SolverStatus.AssumptionViolated"/>.
/// </summary>
/// <typeparam name="TOptions">The method's options record.</typeparam>
/// <typeparam name="TRound">The method's record of one round.</typeparam>
/// <typeparam name="TResult">What <see cref="SolveDetailed"/> returns: the result and the rounds.</typeparam>
public abstract class SmoothingRoundsSolver<TOptions, TRound, TResult> : DrivenSolver<TOptions>
    where TOptions : SolverOptions
    where TResult : RoundsResult<TRound>
{
    private protected SmoothingRoundsSolver(TOptions options, string name, string methodName)
        : base(options, name, methodName)
    {
    }

    /// <summary>mu of the first round (the assumption check needs the model smoothed with it).</summary>
    private protected abstract double InitialSmoothing { get; }

    /// <summary>As <see cref="DrivenSolver{TOptions}.Solve"/>, and also returns one record per round (mu, eps, how the round ended).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    public TResult SolveDetailed(
        IBilevelKernels model,
        ReadOnlySpan<double> x0,
        ReadOnlySpan<double> y0,
        IProgress<SolverProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var rounds = new List<TRound>();
        BilevelResult result = Drive(model, x0, y0, progress, cancellationToken, (m, x, y) => CreateRounds(m, x, y, rounds));
        return CreateResult(result, rounds.AsReadOnly());
    }

    private protected override string? Assumptions(IBilevelKernels model, int lowerDimension) =>
        ModelAssumptions.Check(model, MethodName, typeof(TOptions).Name, InitialSmoothing, needsSmoothUpper: false, allowsLowerDomain: false) is { } v ? "Assumption violated: " + v : null;

    private protected override IterativeMethod Create(IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0) => CreateRounds(model, x0, y0, []);

    /// <summary>The per-solve state; each driver step runs one round and appends its record to <paramref name="rounds"/>.</summary>
    private protected abstract IterativeMethod CreateRounds(IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0, List<TRound> rounds);

    private protected abstract TResult CreateResult(BilevelResult result, IReadOnlyList<TRound> rounds);
}

/// <summary>The outcome of a solve in rounds (<see cref="SpnboSolver"/>, <see cref="SmnbpSolver"/>): the usual result and one record per round.</summary>
/// <typeparam name="TRound">The method's record of one round.</typeparam>
public abstract record RoundsResult<TRound>
{
    /// <summary>The result, as <see cref="IBilevelSolver.Solve"/> returns it.</summary>
    public required BilevelResult Result { get; init; }

    /// <summary>One record per round, in order (including a last round that did not meet its conditions and ended the run).</summary>
    public required IReadOnlyList<TRound> Rounds { get; init; }
}
