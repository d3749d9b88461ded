// The problem an AugmentedLagrangianSolver takes (objective and constraint callbacks) and how a run ends.
namespace BilevelDsl.Numerics;

/// <summary>A smooth convex function of one vector variable, given by a value-and-gradient callback.</summary>
internal interface ISmoothConvexFunction
{
    /// <summary>The length of the variable.</summary>
    int Dimension { get; }

    /// <summary>Writes the gradient at <paramref name="z"/> into <paramref name="gradient"/> (overwriting it) and returns the value.</summary>
    double ValueAndGradient(ReadOnlySpan<double> z, Span<double> gradient);
}

/// <summary>
/// A closed convex set { z in S : h_i(z) &lt;= 0, i = 0..Count-1 } given by smooth convex constraint functions h_i
/// (value-and-gradient callbacks) and an optional simple set S with a Euclidean projection.
/// </summary>
internal interface IConvexConstraints
{
    /// <summary>The length of the variable.</summary>
    int Dimension { get; }

    /// <summary>The number of inequality constraints h_i(z) &lt;= 0 (may be 0).</summary>
    int Count { get; }

    /// <summary>Writes the gradient of h_i at <paramref name="z"/> into <paramref name="gradient"/> (overwriting it) and returns h_i(z).</summary>
    double ValueAndGradient(int i, ReadOnlySpan<double> z, Span<double> gradient);

    /// <summary>Whether there is a simple set S; when false, <see cref="ProjectOntoSimpleSet"/> is the identity and is not called.</summary>
    bool HasSimpleSet { get; }

    /// <summary>Projects <paramref name="z"/> onto S in place (the Euclidean projection).</summary>
    void ProjectOntoSimpleSet(Span<double> z);
}

/// <summary>How an <see cref="AugmentedLagrangianSolver"/> run ended.</summary>
internal enum ConstrainedSolveStatus
{
    /// <summary>Both KKT residuals (stationarity and feasibility/complementarity) are within their tolerances.</summary>
    Converged,

    /// <summary>The outer-iteration limit came first (or a subproblem hit its step limit at the last outer iteration); the point is the last iterate.</summary>
    IterationLimit,

    /// <summary>
    /// The penalty reached its maximum while the infeasibility measure stopped decreasing: the constraints are
    /// (numerically) infeasible, or not convex. The point is not a solution.
    /// </summary>
    Infeasible,

    /// <summary>The objective, a constraint or a gradient was NaN or infinite at the start; the point is the (projected) start.</summary>
    NonFinite,

    /// <summary>The cancellation token was signalled; the point is the last iterate.</summary>
    Cancelled,
}

/// <summary>The outcome of <see cref="AugmentedLagrangianSolver.Minimize"/> or <see cref="AugmentedLagrangianSolver.Project"/>.</summary>
/// <param name="Status">How the run ended.</param>
/// <param name="OuterIterations">Multiplier updates done.</param>
/// <param name="InnerSteps">Accepted FISTA steps over all subproblems.</param>
/// <param name="Value">phi at the returned point.</param>
/// <param name="Stationarity">KKT stationarity residual ||z - P_S(z - (grad phi(z) + sum_i lambda_i grad h_i(z)))|| (the gradient norm without S).</param>
/// <param name="Violation">max_i max(h_i(z), 0): how far the point is outside the constraint set.</param>
/// <param name="Complementarity">max_i |min(-h_i(z), lambda_i)|: 0 exactly when z is feasible and lambda_i h_i(z) = 0, lambda &gt;= 0.</param>
/// <param name="Penalty">The penalty parameter r at the end.</param>
internal readonly record struct ConstrainedSolveResult(
    ConstrainedSolveStatus Status,
    int OuterIterations,
    int InnerSteps,
    double Value,
    double Stationarity,
    double Violation,
    double Complementarity,
    double Penalty);
