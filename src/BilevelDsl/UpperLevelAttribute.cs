namespace BilevelDsl;

/// <summary>
/// Marks the upper-level (leader) objective F(x, y) of a <see cref="BilevelModelAttribute"/> class: the
/// quantity the solver minimises over x, with y restricted to the lower level's solutions.
/// </summary>
/// <remarks>
/// The method returns <see cref="double"/> and takes two parameters (x, y), each either <see cref="double"/>
/// or <see cref="ReadOnlySpan{T}"/> of <see cref="double"/>; both level methods must use the same pair of types.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class UpperLevelAttribute : Attribute
{
}
