using System.Numerics.Tensors;
using BilevelDsl.Numerics;
using static BilevelDsl.Numerics.InputValidation;

namespace BilevelDsl.Solvers.Inner;

/// <summary>Projects a vector onto a domain in place (for example <see cref="IBilevelKernels.ProjectUpper"/>).</summary>
internal delegate void SpanProjection(Span<double> value);

/// <summary>
/// A first-order method for the upper level: given the hypergradient (or another search direction) at x, moves x in
/// place and projects it onto the upper domain. Instances own their state (moments) and do not allocate per step.
/// </summary>
internal interface IUpperOptimizer
{
    /// <summary>The dimension of x.</summary>
    int Dimension { get; }

    /// <summary>x &lt;- P(x - step(direction)).</summary>
    /// <exception cref="ArgumentException">A length differs from <see cref="Dimension"/>.</exception>
    void Step(Span<double> x, ReadOnlySpan<double> direction);

    /// <summary>Forgets the state (moments), as for a fresh instance.</summary>
    void Reset();
}

/// <summary>Projected gradient descent with a fixed step: x &lt;- P(x - a g).</summary>
internal sealed class GradientDescentOptimizer : IUpperOptimizer
{
    private readonly double _stepSize;
    private readonly SpanProjection? _projection;

    /// <summary>Creates the optimiser; <paramref name="projection"/> null means no upper domain.</summary>
    /// <exception cref="ArgumentOutOfRangeException">dimension or stepSize is not positive, or stepSize is infinite.</exception>
    public GradientDescentOptimizer(int dimension, double stepSize, SpanProjection? projection = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        RequirePositiveFinite(stepSize, nameof(stepSize));
        Dimension = dimension;
        _stepSize = stepSize;
        _projection = projection;
    }

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <inheritdoc/>
    public void Step(Span<double> x, ReadOnlySpan<double> direction)
    {
        UpperOptimizerOptions.RequireDimension(Dimension, x.Length, direction.Length);
        TensorPrimitives.MultiplyAdd(direction, -_stepSize, x, x);
        _projection?.Invoke(x);
    }

    /// <inheritdoc/>
    public void Reset()
    {
    }
}

/// <summary>Projected Adam with a fixed step a (see <see cref="AdamSolver"/> for the update).</summary>
internal sealed class AdamOptimizer : IUpperOptimizer
{
    private readonly AdamUpdate _adam;
    private readonly SpanProjection? _projection;

    /// <summary>Creates the optimiser; <paramref name="projection"/> null means no upper domain.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public AdamOptimizer(int dimension, double stepSize, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, SpanProjection? projection = null)
    {
        _adam = new AdamUpdate(dimension, stepSize, beta1, beta2, epsilon);
        Dimension = dimension;
        _projection = projection;
    }

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <inheritdoc/>
    public void Step(Span<double> x, ReadOnlySpan<double> direction)
    {
        UpperOptimizerOptions.RequireDimension(Dimension, x.Length, direction.Length);
        _adam.Step(direction, x, x);
        _projection?.Invoke(x);
    }

    /// <inheritdoc/>
    public void Reset() => _adam.Reset();
}

/// <summary>The upper-level optimisers.</summary>
public enum UpperOptimizerKind
{
    /// <summary><see cref="GradientDescentOptimizer"/>: x &lt;- P(x - a g).</summary>
    GradientDescent,

    /// <summary><see cref="AdamOptimizer"/>: projected Adam.</summary>
    Adam,
}

/// <summary>Settings of the upper-level optimiser of a bilevel method.</summary>
public sealed record UpperOptimizerOptions
{
    /// <summary>Which optimiser.</summary>
    public UpperOptimizerKind Kind { get; init; } = UpperOptimizerKind.GradientDescent;

    /// <summary>
    /// The step size a. For gradient descent choose about 1/L, where L bounds the curvature of the hyper-objective
    /// phi(x) = F(x, y*(x)); the default suits hyper-objectives with curvature up to about 10.
    /// </summary>
    public double StepSize { get; init; } = 0.1;

    /// <summary>Adam: b1, in [0, 1).</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Adam: b2, in [0, 1).</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Adam: eps.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Throws if a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is invalid; the message names it.</exception>
    public void Validate()
    {
        RequireDefined(Kind, nameof(Kind), "Optimizer.Kind");
        RequirePositiveFinite(StepSize, "Optimizer." + nameof(StepSize));
        RequireUnitInterval(Beta1, "Optimizer." + nameof(Beta1));
        RequireUnitInterval(Beta2, "Optimizer." + nameof(Beta2));
        RequirePositiveFinite(Epsilon, "Optimizer." + nameof(Epsilon));
    }

    /// <summary>Creates the optimiser for x of the given dimension; <paramref name="projection"/> null means no upper domain.</summary>
    internal IUpperOptimizer Create(int dimension, SpanProjection? projection) => Kind switch
    {
        UpperOptimizerKind.Adam => new AdamOptimizer(dimension, StepSize, Beta1, Beta2, Epsilon, projection),
        _ => new GradientDescentOptimizer(dimension, StepSize, projection),
    };

    internal static void RequireDimension(int dimension, int xLength, int directionLength)
    {
        if (xLength != dimension || directionLength != dimension)
        {
            throw new ArgumentException($"x has length {xLength} and the direction length {directionLength}, but the optimiser was created for dimension {dimension}.");
        }
    }
}
