using BilevelDsl.GeneratorTests.Harness;

namespace BilevelDsl.GeneratorTests.Framework;

/// <summary>Model sources for the framework tests; bodies and members may contain diagnostic markup.</summary>
public static class Sources
{
    public const string Header = "using System;\nusing BilevelDsl;\n\nnamespace Fw;\n\n";

    public const string SpanUpper = "return Dsl.Dot(x, y) + Dsl.SquaredNorm(y);";

    public const string SpanLower = """
        double s = 0;
        for (int i = 0; i < y.Length; i++)
        {
            s += (y[i] - x[i]) * (y[i] - x[i]);
        }
        return s;
        """;

    public const string ScalarUpper = "return x * y + y * y;";

    public const string ScalarLower = "return (y - x) * (y - x);";

    /// <summary>A span model (x, y both ReadOnlySpan&lt;double&gt;) named Model in namespace Fw.</summary>
    public static string Span(string upper = SpanUpper, string lower = SpanLower, string members = "") =>
        new ModelSpec { Name = "Model", Namespace = "Fw", Upper = upper, Lower = lower, Members = members }.ToSource();

    /// <summary>A scalar model (x, y both double) named Model in namespace Fw.</summary>
    public static string Scalar(string upper = ScalarUpper, string lower = ScalarLower, string members = "") =>
        new ModelSpec { Name = "Model", Namespace = "Fw", Kind = ModelKind.Scalar, Upper = upper, Lower = lower, Members = members }.ToSource();
}
