namespace BilevelDsl;

/// <summary>
/// Marks the lower-level (follower) objective f(x, y) of a <see cref="BilevelModelAttribute"/> class: for a
/// given x, the admissible y are the minimisers of this function.
/// </summary>
/// <remarks>Same signature rules as <see cref="UpperLevelAttribute"/>.</remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class LowerLevelAttribute : Attribute
{
}
