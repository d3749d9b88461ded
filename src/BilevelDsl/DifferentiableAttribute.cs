namespace BilevelDsl;

/// <summary>
/// Marks a static helper method of a bilevel model as differentiable, so that objective bodies may call it
/// and the generator differentiates through the call.
/// </summary>
/// <remarks>
/// The method must be static, return <see cref="double"/>, take only <see cref="double"/> or <see cref="int"/>
/// parameters, and must not be recursive.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DifferentiableAttribute : Attribute
{
}
