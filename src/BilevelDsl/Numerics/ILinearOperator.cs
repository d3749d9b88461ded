namespace BilevelDsl.Numerics;

/// <summary>
/// A linear map v -> A v on R^n, given only by its action (for example a Hessian-vector product kernel).
/// Implementations overwrite <c>result</c> and must not allocate.
/// </summary>
internal interface ILinearOperator
{
    /// <summary>The dimension n of the space the operator acts on.</summary>
    int Dimension { get; }

    /// <summary>Writes A v into <paramref name="result"/> (both of length <see cref="Dimension"/>).</summary>
    void Apply(ReadOnlySpan<double> v, Span<double> result);
}
