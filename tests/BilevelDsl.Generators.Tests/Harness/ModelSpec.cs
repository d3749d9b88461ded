using System.Text;

namespace BilevelDsl.GeneratorTests.Harness;

public enum ModelKind
{
    /// <summary>Level methods take (double x, double y).</summary>
    Scalar,

    /// <summary>Level methods take (ReadOnlySpan&lt;double&gt; x, ReadOnlySpan&lt;double&gt; y).</summary>
    Span,
}

public enum Level
{
    Upper,
    Lower,
}

/// <summary>
/// A two-level model written as C# source: one [BilevelModel] partial class with an [UpperLevel] method
/// named Upper and a [LowerLevel] method named Lower, plus optional members (data, [Differentiable] helpers,
/// [Gradient] requests) and an optional primary constructor.
/// </summary>
public sealed record ModelSpec
{
    public required string Name { get; init; }

    /// <summary>Body of Upper: statements (a block without braces) or an expression body starting with "=>".</summary>
    public required string Upper { get; init; }

    /// <summary>Body of Lower, written like <see cref="Upper"/>.</summary>
    public required string Lower { get; init; }

    public ModelKind Kind { get; init; } = ModelKind.Span;

    /// <summary>Length of x at the test points (1 for scalar models).</summary>
    public int XLength { get; init; } = 3;

    /// <summary>Length of y at the test points (1 for scalar models).</summary>
    public int YLength { get; init; } = 3;

    /// <summary>Test points are drawn uniformly from [-Range, Range] in every coordinate.</summary>
    public double Range { get; init; } = 1.0;

    /// <summary>Extra members of the class (fields, properties, helpers), as C# source.</summary>
    public string Members { get; init; } = "";

    /// <summary>Primary constructor parameter list including parentheses, e.g. "(double[] a, Matrix m)".</summary>
    public string PrimaryConstructor { get; init; } = "";

    /// <summary>Arguments for the constructor, made fresh for every instance; null for a parameterless class.</summary>
    public Func<object?[]>? ConstructorArguments { get; init; }

    public string Namespace { get; init; } = "Corpus";

    /// <summary>Applied to the finished source (mutants that change declarations, not bodies).</summary>
    public Func<string, string>? SourceTransform { get; init; }

    /// <summary>What the model exercises (for the coverage test and for failure messages).</summary>
    public string Covers { get; init; } = "";

    public string FullTypeName => Namespace + "." + Name;

    public string FileName => Name + ".cs";

    /// <summary>The hint name the generator must use: &lt;Namespace&gt;.&lt;Type&gt;.Bilevel.g.cs.</summary>
    public string HintName => FullTypeName + ".Bilevel.g.cs";

    public int EffectiveXLength => Kind == ModelKind.Scalar ? 1 : XLength;

    public int EffectiveYLength => Kind == ModelKind.Scalar ? 1 : YLength;

    public string Body(Level level) => level == Level.Upper ? Upper : Lower;

    public ModelSpec WithBody(Level level, string body) =>
        level == Level.Upper ? this with { Upper = body } : this with { Lower = body };

    public object?[] CreateArguments() => ConstructorArguments?.Invoke() ?? Array.Empty<object?>();

    public string ToSource()
    {
        string parameters = Kind == ModelKind.Scalar
            ? "double x, double y"
            : "ReadOnlySpan<double> x, ReadOnlySpan<double> y";
        var sb = new StringBuilder();
        sb.Append("using System;\nusing BilevelDsl;\n\n");
        sb.Append("namespace ").Append(Namespace).Append(";\n\n");
        sb.Append("[BilevelModel]\n");
        sb.Append("public partial class ").Append(Name).Append(PrimaryConstructor).Append('\n');
        sb.Append("{\n");
        if (Members.Length > 0)
        {
            AppendIndented(sb, Members, "    ");
            sb.Append('\n');
        }

        AppendLevel(sb, "UpperLevel", "Upper", parameters, Upper);
        sb.Append('\n');
        AppendLevel(sb, "LowerLevel", "Lower", parameters, Lower);
        sb.Append("}\n");
        return SourceTransform is null ? sb.ToString() : SourceTransform(sb.ToString());
    }

    private static void AppendLevel(StringBuilder sb, string attribute, string name, string parameters, string body)
    {
        sb.Append("    [").Append(attribute).Append("]\n");
        sb.Append("    public double ").Append(name).Append('(').Append(parameters).Append(')');
        string trimmed = body.Trim();
        if (trimmed.StartsWith("=>", StringComparison.Ordinal))
        {
            sb.Append(' ').Append(trimmed).Append('\n');
            return;
        }

        sb.Append("\n    {\n");
        AppendIndented(sb, trimmed, "        ");
        sb.Append("    }\n");
    }

    private static void AppendIndented(StringBuilder sb, string text, string indent)
    {
        foreach (string line in text.Replace("\r\n", "\n").Trim('\n').Split('\n'))
        {
            string content = line.TrimEnd();
            if (content.Length > 0)
            {
                sb.Append(indent).Append(content);
            }

            sb.Append('\n');
        }
    }

    public override string ToString() => FullTypeName;
}
