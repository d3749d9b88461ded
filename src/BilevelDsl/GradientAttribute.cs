namespace BilevelDsl;

/// <summary>
/// Asks the generator to implement a <c>partial</c> method as the gradient kernel of one of the model's
/// objectives, for callers that want a named, strongly typed gradient besides <see cref="IBilevelKernels"/>.
/// </summary>
/// <param name="objective">The name of the objective method to differentiate (use <c>nameof</c>).</param>
/// <remarks>
/// Span models: <c>partial double G(ReadOnlySpan&lt;double&gt; x, ReadOnlySpan&lt;double&gt; y, Span&lt;double&gt; gx, Span&lt;double&gt; gy)</c>;
/// scalar models: <c>partial double G(double x, double y, out double gx, out double gy)</c>. The method returns
/// the objective's value and writes the partial gradients.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class GradientAttribute(string objective) : Attribute
{
    /// <summary>The name of the objective method whose gradient the annotated method computes.</summary>
    public string Objective { get; } = objective;
}
