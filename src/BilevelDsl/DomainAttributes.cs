namespace BilevelDsl;

/// <summary>
/// Declares the box [<paramref name="lower"/>, <paramref name="upper"/>] (for every entry) as the domain of the
/// lower-level variable y. Solvers that honour domains project onto it; the kernels expose the projection
/// as <see cref="IBilevelKernels.ProjectLower"/>. Infinite bounds are allowed.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class LowerBoundsAttribute(double lower, double upper) : Attribute
{
    /// <summary>The lower bound of every entry.</summary>
    public double Lower { get; } = lower;

    /// <summary>The upper bound of every entry.</summary>
    public double Upper { get; } = upper;
}

/// <summary>Declares the box [<paramref name="lower"/>, <paramref name="upper"/>] as the domain of the upper variable x.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class UpperBoundsAttribute(double lower, double upper) : Attribute
{
    /// <summary>The lower bound of every entry.</summary>
    public double Lower { get; } = lower;

    /// <summary>The upper bound of every entry.</summary>
    public double Upper { get; } = upper;
}

/// <summary>
/// Marks <c>void P(Span&lt;double&gt; y)</c> as the Euclidean projection onto the lower variable's domain
/// (for sets a box cannot express). It may only write into its argument.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class LowerProjectionAttribute : Attribute
{
}

/// <summary>Marks <c>void P(Span&lt;double&gt; x)</c> as the Euclidean projection onto the upper variable's domain.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class UpperProjectionAttribute : Attribute
{
}

/// <summary>
/// Marks a method <c>double U(x, y)</c> (same parameter types as the level methods, same differentiable
/// subset) as a lower-level inequality constraint U(x, y) &lt;= 0. Constraints are numbered in declaration order.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class LowerConstraintAttribute : Attribute
{
}
