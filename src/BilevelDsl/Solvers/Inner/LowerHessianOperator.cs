using System.Numerics.Tensors;
using BilevelDsl.Numerics;

namespace BilevelDsl.Solvers.Inner;

/// <summary>
/// The lower-level Hessian block d2f/dy2 at (x, y) as a linear operator, applied with one
/// <see cref="IBilevelKernels.LowerHessianVector"/> call (vx = 0), which also yields the mixed block d2f/dxdy times the
/// same vector (<see cref="MixedProduct"/>). With a <see cref="Jacobian"/> of the lower domain's projection that is not
/// the identity, the operator is the reduced Hessian J H J (the Hessian on the free directions, for AID at a solution on
/// the domain's boundary).
/// </summary>
internal sealed class LowerHessianOperator : ILinearOperator
{
    private readonly IBilevelKernels _model;
    private readonly double[] _x;
    private readonly double[] _zeroX;
    private readonly double[] _mixed;
    private readonly double[] _reduced;

    /// <summary>Creates the operator at x (read from <paramref name="x"/> at every application; not copied).</summary>
    public LowerHessianOperator(IBilevelKernels model, double[] x, int dimension)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        _model = model;
        _x = x;
        _zeroX = new double[x.Length];
        _mixed = new double[x.Length];
        _reduced = new double[dimension];
        Dimension = dimension;
        Y = new double[dimension];
    }

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <summary>The lower variable y at which the Hessian is taken (read at every application; not copied).</summary>
    public double[] Y { get; set; }

    /// <summary>When set and not the identity at its point, the operator applies J H J instead of H.</summary>
    public ProjectionJacobian? Jacobian { get; set; }

    /// <summary>(d2f/dxdy) v for the v of the last <see cref="Apply"/> (J v when reduced).</summary>
    public ReadOnlySpan<double> MixedProduct => _mixed;

    /// <summary>How many Hessian-vector products were computed since construction.</summary>
    public long Applications { get; private set; }

    /// <inheritdoc/>
    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        Applications++;
        if (Jacobian is { IsIdentity: false } j)
        {
            j.Apply(v, _reduced);
            _model.LowerHessianVector(_x, Y, _zeroX, _reduced, _mixed, result);
            j.Apply(result, result);
            return;
        }

        _model.LowerHessianVector(_x, Y, _zeroX, v, _mixed, result);
    }

    /// <summary>
    /// Estimates the largest curvature magnitude |lambda|_max of d2f/dy2 at (x, <see cref="Y"/>) by power iteration,
    /// warm-started from <paramref name="vector"/> (kept by the caller between calls). Returns 0 if the Hessian vanishes
    /// on the iterate, NaN if a product was not finite.
    /// </summary>
    public double LargestCurvature(Span<double> vector, Span<double> work, int iterations)
    {
        ProjectionJacobian? saved = Jacobian;
        Jacobian = null;
        try
        {
            return PowerIteration.LargestMagnitude(this, vector, work, iterations);
        }
        finally
        {
            Jacobian = saved;
        }
    }
}

/// <summary>
/// The Jacobian of the lower domain's projection P (<see cref="IBilevelKernels.ProjectLower"/>) at a point z, applied to
/// vectors. If P(z) = z (z inside the domain) it is the identity, exactly. Otherwise J v = ||v||_inf J u, u = v / ||v||_inf,
/// with J u the central difference (P(z + h u) - P(z - h u)) / (2 h), h = 1e-6 (1 + ||z||_inf): exact up to rounding for boxes and other
/// polyhedral domains away from their kinks (P is piecewise affine there), and a second-order approximation for curved
/// domains. The Jacobian of a projection onto a convex set is symmetric where it exists, so J' v = J v.
/// </summary>
internal sealed class ProjectionJacobian
{
    /// <summary>The relative difference step.</summary>
    public const double RelativeStep = 1e-6;

    private readonly IBilevelKernels _model;
    private readonly double[] _z;
    private readonly double[] _plus;
    private readonly double[] _minus;
    private readonly double[] _unit;

    /// <summary>Creates the Jacobian helper for lower variables of the given dimension.</summary>
    public ProjectionJacobian(IBilevelKernels model, int dimension)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        _model = model;
        _z = new double[dimension];
        _plus = new double[dimension];
        _minus = new double[dimension];
        _unit = new double[dimension];
        IsIdentity = true;
    }

    /// <summary>Whether P(z) = z at the current point (then <see cref="Apply"/> copies).</summary>
    public bool IsIdentity { get; private set; }

    /// <summary>Sets the point z (copied); one projection. Returns <see cref="IsIdentity"/>.</summary>
    public bool SetPoint(ReadOnlySpan<double> z)
    {
        z.CopyTo(_z);
        z.CopyTo(_plus);
        _model.ProjectLower(_plus);
        IsIdentity = _plus.AsSpan().SequenceEqual(z);
        return IsIdentity;
    }

    /// <summary>result = J v (two projections unless the identity); v and result may be the same span.</summary>
    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        if (IsIdentity)
        {
            v.CopyTo(result);
            return;
        }

        double vMax = VectorMath.NormInf(v);
        if (vMax == 0.0 || !double.IsFinite(vMax))
        {
            v.CopyTo(result);
            return;
        }

        // Difference along u = v / ||v||_inf (so that tiny or huge v neither underflow nor overflow the step), then scale back.
        double h = RelativeStep * (1.0 + VectorMath.NormInf(_z));
        TensorPrimitives.Divide(v, vMax, _unit);
        TensorPrimitives.MultiplyAdd(_unit, h, _z, _plus);
        TensorPrimitives.MultiplyAdd(_unit, -h, _z, _minus);
        _model.ProjectLower(_plus);
        _model.ProjectLower(_minus);
        TensorPrimitives.Subtract(_plus, _minus, result);
        TensorPrimitives.Multiply(result, 0.5 * vMax / h, result);
    }
}
