using System.Numerics.Tensors;

namespace BilevelDsl.Numerics;

/// <summary>How a <see cref="ConjugateGradient"/> solve ended.</summary>
internal enum ConjugateGradientStatus
{
    /// <summary>The residual reached the tolerance: ||A q - b|| &lt;= tolerance * ||b||.</summary>
    Converged,

    /// <summary>The iteration limit came first; q is the last iterate.</summary>
    IterationLimit,

    /// <summary>
    /// A search direction p had curvature p'Ap &lt;= 0 (or negligible next to the largest curvature seen): A is not
    /// positive definite on the Krylov space, so A q = b has no (unique) solution that CG can find. q is the last iterate
    /// before that direction.
    /// </summary>
    NonPositiveCurvature,

    /// <summary>The operator returned NaN or an infinity; q is the last finite iterate.</summary>
    NonFinite,
}

/// <summary>The outcome of <see cref="ConjugateGradient.Solve"/>.</summary>
/// <param name="Status">How the solve ended.</param>
/// <param name="Iterations">Operator applications spent on CG iterations (plus one for the initial residual of a warm start).</param>
/// <param name="RelativeResidual">||A q - b|| / ||b|| at the returned q (0 when b = 0), as tracked by the recurrence.</param>
/// <param name="Curvature">At <see cref="ConjugateGradientStatus.NonPositiveCurvature"/>, the Rayleigh quotient p'Ap / p'p of the offending direction; otherwise the smallest one seen.</param>
internal readonly record struct ConjugateGradientResult(ConjugateGradientStatus Status, int Iterations, double RelativeResidual, double Curvature);

/// <summary>
/// The conjugate gradient method (Hestenes and Stiefel 1952) for A q = b with A symmetric positive definite, given
/// only by its action. Work arrays are allocated once per instance; <see cref="Solve"/> does not allocate.
/// </summary>
/// <remarks>
/// Update rule, from q_0 (the warm start), r_0 = b - A q_0, p_0 = r_0:
/// alpha_j = r_j'r_j / p_j'A p_j; q_{j+1} = q_j + alpha_j p_j; r_{j+1} = r_j - alpha_j A p_j;
/// beta_j = r_{j+1}'r_{j+1} / r_j'r_j; p_{j+1} = r_{j+1} + beta_j p_j.
/// Safeguard: a direction whose Rayleigh quotient p'Ap / p'p is at most <see cref="CurvatureFloor"/> times the largest
/// seen so far (or not positive) ends the solve with <see cref="ConjugateGradientStatus.NonPositiveCurvature"/>: the
/// operator is singular or indefinite there, and continuing would divide by (nearly) zero.
/// </remarks>
internal sealed class ConjugateGradient
{
    /// <summary>Relative curvature below which a direction counts as flat (singular operator).</summary>
    public const double CurvatureFloor = 1e-12;

    private readonly double[] _r;
    private readonly double[] _p;
    private readonly double[] _ap;

    /// <summary>Creates a solver for systems of the given dimension.</summary>
    /// <exception cref="ArgumentOutOfRangeException">dimension is not positive.</exception>
    public ConjugateGradient(int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        Dimension = dimension;
        _r = new double[dimension];
        _p = new double[dimension];
        _ap = new double[dimension];
    }

    /// <summary>The dimension of the systems this instance solves.</summary>
    public int Dimension { get; }

    /// <summary>
    /// Solves A q = b. On entry <paramref name="q"/> holds the starting guess (zero for a cold start); on exit the solution
    /// estimate.
    /// </summary>
    /// <param name="a">The operator (symmetric positive definite for CG to converge).</param>
    /// <param name="b">The right-hand side.</param>
    /// <param name="q">Start on entry, solution on exit.</param>
    /// <param name="relativeTolerance">Stop when ||A q - b|| &lt;= relativeTolerance * ||b||.</param>
    /// <param name="maxIterations">The largest number of CG iterations.</param>
    /// <exception cref="ArgumentException">A length differs from <see cref="Dimension"/>, or an argument is out of range.</exception>
    public ConjugateGradientResult Solve(ILinearOperator a, ReadOnlySpan<double> b, Span<double> q, double relativeTolerance, int maxIterations)
    {
        ArgumentNullException.ThrowIfNull(a);
        RequireLength(a.Dimension, "the operator's dimension");
        RequireLength(b.Length, nameof(b));
        RequireLength(q.Length, nameof(q));
        if (!(relativeTolerance >= 0.0))
        {
            throw new ArgumentOutOfRangeException(nameof(relativeTolerance), relativeTolerance, "The tolerance must be non-negative.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(maxIterations);

        double bNorm = Math.Sqrt(TensorPrimitives.SumOfSquares(b));
        if (bNorm == 0.0)
        {
            q.Clear();
            return new ConjugateGradientResult(ConjugateGradientStatus.Converged, 0, 0.0, double.NaN);
        }

        int applications = 0;
        if (TensorPrimitives.SumOfSquares((ReadOnlySpan<double>)q) == 0.0)
        {
            b.CopyTo(_r);
        }
        else
        {
            a.Apply(q, _ap);
            applications++;
            TensorPrimitives.Subtract(b, _ap, _r);
            if (!VectorMath.AllFinite(_r))
            {
                q.Clear();
                b.CopyTo(_r);
            }
        }

        double rr = TensorPrimitives.SumOfSquares(_r);
        double target = relativeTolerance * bNorm;
        _r.AsSpan().CopyTo(_p);
        double largestCurvature = 0.0;
        double smallestCurvature = double.PositiveInfinity;
        for (int j = 0; ; j++)
        {
            double residual = Math.Sqrt(rr);
            if (residual <= target)
            {
                return new ConjugateGradientResult(ConjugateGradientStatus.Converged, applications, residual / bNorm, smallestCurvature);
            }

            if (j >= maxIterations)
            {
                return new ConjugateGradientResult(ConjugateGradientStatus.IterationLimit, applications, residual / bNorm, smallestCurvature);
            }

            a.Apply(_p, _ap);
            applications++;
            double pAp = TensorPrimitives.Dot(_p, _ap);
            double pp = TensorPrimitives.SumOfSquares(_p);
            if (!double.IsFinite(pAp) || !VectorMath.AllFinite(_ap))
            {
                return new ConjugateGradientResult(ConjugateGradientStatus.NonFinite, applications, residual / bNorm, smallestCurvature);
            }

            double curvature = pAp / pp;
            largestCurvature = Math.Max(largestCurvature, curvature);
            if (!(curvature > CurvatureFloor * largestCurvature))
            {
                return new ConjugateGradientResult(ConjugateGradientStatus.NonPositiveCurvature, applications, residual / bNorm, curvature);
            }

            smallestCurvature = Math.Min(smallestCurvature, curvature);
            double alpha = rr / pAp;
            TensorPrimitives.MultiplyAdd(_p, alpha, q, q);
            TensorPrimitives.MultiplyAdd(_ap, -alpha, _r, _r);
            double rrNext = TensorPrimitives.SumOfSquares(_r);
            double beta = rrNext / rr;
            rr = rrNext;
            TensorPrimitives.MultiplyAdd(_p, beta, _r, _p);
        }
    }

    private void RequireLength(int length, string name)
    {
        if (length != Dimension)
        {
            throw new ArgumentException($"{name} has length {length} but the solver's dimension is {Dimension}.", name == "the operator's dimension" ? "a" : name);
        }
    }
}
