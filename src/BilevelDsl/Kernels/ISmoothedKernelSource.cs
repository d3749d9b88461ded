using System.ComponentModel;

namespace BilevelDsl.Kernels;

/// <summary>
/// The mu-parameterised kernels the generator emits for a model with nonsmooth terms; <see cref="SmoothedKernels"/>
/// turns them into an <see cref="IBilevelKernels"/> view for one mu. Implemented by generated code only.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface ISmoothedKernelSource
{
    /// <summary>Value of the mu-smoothed upper objective.</summary>
    double SmoothedUpperValue(double mu, ReadOnlySpan<double> x, ReadOnlySpan<double> y);

    /// <summary>Value of the mu-smoothed lower objective.</summary>
    double SmoothedLowerValue(double mu, ReadOnlySpan<double> x, ReadOnlySpan<double> y);

    /// <summary>Value and gradient of the mu-smoothed upper objective.</summary>
    double SmoothedUpperGradient(double mu, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY);

    /// <summary>Value and gradient of the mu-smoothed lower objective.</summary>
    double SmoothedLowerGradient(double mu, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY);

    /// <summary>Hessian-vector product of the mu-smoothed upper objective.</summary>
    void SmoothedUpperHessianVector(double mu, ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy);

    /// <summary>Hessian-vector product of the mu-smoothed lower objective.</summary>
    void SmoothedLowerHessianVector(double mu, ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy);

    /// <summary>Value, gradient and Hessian-vector product of the mu-smoothed upper objective.</summary>
    double SmoothedUpperValueGradientHessianVector(double mu, ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy);

    /// <summary>Value, gradient and Hessian-vector product of the mu-smoothed lower objective.</summary>
    double SmoothedLowerValueGradientHessianVector(double mu, ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy);
}
