namespace BilevelDsl;

/// <summary>
/// Marks a <c>partial</c> class as a bilevel model. The BilevelDsl source generator differentiates the
/// class's <see cref="UpperLevelAttribute"/> and <see cref="LowerLevelAttribute"/> methods at compile time
/// and makes the class implement <see cref="IBilevelKernels"/>, so that a solver can use it directly.
/// </summary>
/// <remarks>
/// The class must be <c>partial</c> (so that the generator can add the interface implementation) and must
/// declare exactly one upper-level and one lower-level objective.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class BilevelModelAttribute : Attribute
{
}
