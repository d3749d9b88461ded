using BilevelDsl.GeneratorTests.Harness;
using Microsoft.CodeAnalysis;
using Xunit;

namespace BilevelDsl.GeneratorTests.Diagnostics;

/// <summary>A source that must (positive) or must not (negative) produce a BDSL diagnostic.</summary>
public sealed record DiagnosticCase(string Name, string Id, string MarkedText)
{
    public DiagnosticSeverity Severity { get; init; } = DiagnosticSeverity.Error;

    /// <summary>For a rejected body: the level whose gradient kernel must throw InvalidOperationException("ID: ...").</summary>
    public Level? RejectedLevel { get; init; }

    /// <summary>The model's full type name (for instantiating it).</summary>
    public string TypeName { get; init; } = "Diag." + Name;

    public override string ToString() => Name;
}

/// <summary>Positive and negative cases for every diagnostic of the catalogue except BDSL0012.</summary>
public static partial class DiagnosticCases
{
    public const string UpperOk = "return Dsl.Dot(x, y) + Dsl.SquaredNorm(y);";

    public const string LowerOk = """
        double s = 0;
        for (int i = 0; i < y.Length; i++)
        {
            s += (y[i] - x[i]) * (y[i] - x[i]);
        }
        return s;
        """;

    private static readonly Lazy<IReadOnlyList<DiagnosticCase>> LazyPositive = new(() => PositiveCases().Concat(MorePositiveCases()).ToList());

    private static readonly Lazy<IReadOnlyList<DiagnosticCase>> LazyNegative = new(() => NegativeCases().ToList());

    public static IReadOnlyList<DiagnosticCase> Positive => LazyPositive.Value;

    public static IReadOnlyList<DiagnosticCase> Negative => LazyNegative.Value;

    public static TheoryData<string> PositiveNames() => Names(Positive);

    public static TheoryData<string> NegativeNames() => Names(Negative);

    private static TheoryData<string> Names(IEnumerable<DiagnosticCase> cases)
    {
        var data = new TheoryData<string>();
        foreach (DiagnosticCase c in cases)
        {
            data.Add(c.Name);
        }

        return data;
    }

    /// <summary>A span model in namespace Diag with the given bodies (markers allowed inside).</summary>
    private static string SpanModel(string name, string upper = UpperOk, string lower = LowerOk, string members = "") =>
        new ModelSpec { Name = name, Namespace = "Diag", Upper = upper, Lower = lower, Members = members }.ToSource();

    /// <summary>A scalar model in namespace Diag with the given bodies (markers allowed inside).</summary>
    private static string ScalarModel(string name, string upper = "return x * y + y * y;", string lower = "return (y - x) * (y - x);", string members = "") =>
        new ModelSpec { Name = name, Namespace = "Diag", Kind = ModelKind.Scalar, Upper = upper, Lower = lower, Members = members }.ToSource();

    private static DiagnosticCase Body(string name, string id, Level level, string body, string members = "", bool scalar = false)
    {
        string source = scalar
            ? ScalarModel(name, upper: level == Level.Upper ? body : "return x * y + y * y;", lower: level == Level.Lower ? body : "return (y - x) * (y - x);", members: members)
            : SpanModel(name, upper: level == Level.Upper ? body : UpperOk, lower: level == Level.Lower ? body : LowerOk, members: members);
        return new DiagnosticCase(name, id, source) { RejectedLevel = level };
    }

    private const string Usings = "using System;\nusing BilevelDsl;\n\nnamespace Diag;\n\n";
}
