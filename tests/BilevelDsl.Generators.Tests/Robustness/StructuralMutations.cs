using System.Globalization;
using System.Text;
using BilevelDsl.GeneratorTests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BilevelDsl.GeneratorTests.Robustness;

/// <summary>
/// Mutations aimed at the robustness findings: size (long sums, many statements), nesting (early-return
/// guards, else-if chains, nested loops, deep parentheses), ref locals, overloaded helpers and generated-looking
/// names in the body; and, on the model rather than the body, modifiers of the level method (virtual,
/// overridden, abstract, extern, split partial) and members named like generated ones.
/// </summary>
public sealed class StructuralMutations(Random rng, ModelKind kind, Level level, Func<string, string> instantiate)
{
    /// <summary>Locals and members the generated code uses or could use.</summary>
    public static readonly string[] GeneratedLookingNames =
    {
        "value", "t", "t_2", "t_3", "x_bar", "y_bar", "x_dot", "y_dot", "x_bar_dot", "t_bar", "t_2_bar", "t_dot",
        "gradX", "gradY", "hx", "hy", "vx", "vy", "mu", "j", "i", "__bilevelInfo", "done", "result", "ret", "returned",
    };

    private static readonly string[] GeneratedLookingMembers =
    {
        "public int Upper__Gradient;", "public int Lower__HessianVector() => 1;", "public int __bilevelInfo;",
        "public int DiffHelper0__Partials;", "public int DiffHelper0__PartialsTangent;", "public int Upper___Gradient;",
        "public double UpperGradient;", "public static int Lower__ValueGradientHessianVector;",
    };

    private string X0 => kind == ModelKind.Span ? "x[0]" : "x";

    private string Y0 => kind == ModelKind.Span ? "y[0]" : "y";

    private string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>One body mutation of <paramref name="category"/> ("size", "nesting", "ref", "overload" or "naming").</summary>
    public (BlockSyntax, string)? Apply(string category, BlockSyntax block, int unique) => category switch
    {
        "size" => Size(block, unique),
        "nesting" => Nesting(block, unique),
        "ref" => Insert(block, Pick(RefStatements), unique, "ref local"),
        "overload" => Overload(block),
        _ => Rename(block),
    };

    private T Pick<T>(IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    /// <summary>Sizes from small to past the budget (BDSL0021), mostly small so the run stays fast.</summary>
    private int SizeFor(int small, int large, int huge) =>
        rng.Next(20) switch { 0 => huge, < 5 => large, _ => small + rng.Next(small) };

    private string Term(int i) => kind == ModelKind.Span
        ? $"x[{i % 3} % x.Length] * y[{(i + 1) % 3} % y.Length] * {Num(0.01 * (i % 7 + 1))}"
        : $"x * y * {Num(0.01 * (i % 7 + 1))}";

    /// <summary>Declares a local at the top of the body and adds it to every return value, so it is live.</summary>
    private (BlockSyntax, string) DeclareAndUse(BlockSyntax block, string declaration, string local, string what)
    {
        var inserted = ((BlockSyntax)SyntaxFactory.ParseStatement("{" + declaration + "}")).Statements;
        BlockSyntax withLocal = block.WithStatements(block.Statements.InsertRange(0, inserted));
        var returns = withLocal.DescendantNodes().OfType<ReturnStatementSyntax>()
            .Where(r => r.Expression is not null && !r.Ancestors().Any(a => a is LocalFunctionStatementSyntax or LambdaExpressionSyntax))
            .ToList();
        BlockSyntax used = withLocal.ReplaceNodes(returns, (_, r) =>
            r.WithExpression(SyntaxFactory.ParseExpression($"({r.Expression}) + 0.01 * {local}")));
        return (used, what);
    }

    private (BlockSyntax, string)? Size(BlockSyntax block, int n)
    {
        var b = new StringBuilder();
        if (rng.Next(2) == 0)
        {
            int terms = SizeFor(20, 400, 3000);
            b.Append($"double big{n} = {Y0} * {Y0}");
            for (int i = 0; i < terms; i++)
            {
                b.Append(" + ").Append(Term(i));
            }

            b.Append(';');
            return DeclareAndUse(block, b.ToString(), $"big{n}", $"size: a {terms}-term sum");
        }

        int statements = SizeFor(20, 300, 2000);
        b.Append($"double acc{n} = {Y0};");
        for (int i = 0; i < statements; i++)
        {
            b.Append(rng.Next(4) == 0 ? $" acc{n} = acc{n} * 0.5 + {Term(i)};" : $" acc{n} += {Term(i)};");
        }

        return DeclareAndUse(block, b.ToString(), $"acc{n}", $"size: {statements} statements");
    }

    private (BlockSyntax, string)? Nesting(BlockSyntax block, int n)
    {
        var b = new StringBuilder();
        switch (rng.Next(5))
        {
            case 0:
            {
                // Guards taken at some sample points (the points lie in [-1, 1]).
                int guards = SizeFor(4, 32, 64);
                for (int i = 0; i < guards; i++)
                {
                    double c = Math.Round(-0.9 + 1.8 * rng.NextDouble(), 2);
                    b.Append(rng.Next(2) == 0
                        ? $"if ({Y0} > {Num(c)}) {{ if ({X0} > {Num(-c)}) return {Y0} * {Num(i + 1)} + {X0}; }} "
                        : $"if ({X0} + {Y0} < {Num(c - 1)}) return {Y0} * {Y0} * {Num(i + 1)}; ");
                }

                var guardStatements = ((BlockSyntax)SyntaxFactory.ParseStatement("{" + b + "}")).Statements;
                int at = rng.Next(block.Statements.Count);
                return (block.WithStatements(block.Statements.InsertRange(at, guardStatements)), $"nesting: {guards} early-return guards at {at}");
            }

            case 1:
            {
                int branches = SizeFor(4, 100, 600);
                b.Append($"double ch{n}; if ({X0} > 0.95) {{ ch{n} = {Y0}; }}");
                for (int i = 0; i < branches; i++)
                {
                    b.Append($" else if ({X0} > {Num(0.9 - 1.8 * i / branches)}) {{ ch{n} = {Y0} * {Num(i + 1)} + {X0} * {Y0}; }}");
                }

                b.Append($" else {{ ch{n} = {Y0} * {Y0}; }}");
                return DeclareAndUse(block, b.ToString(), $"ch{n}", $"nesting: {branches}-branch else-if chain");
            }

            case 2:
            {
                int depth = SizeFor(3, 20, 60);
                b.Append($"double nl{n} = 0;");
                for (int i = 0; i < depth; i++)
                {
                    // Two iterations at five of the levels at most: 32 runs of the body, not 2^30 at depth 60.
                    b.Append($" for (int i{n}_{i} = 0; i{n}_{i} < {(i < 10 ? 1 + i % 2 : 1)}; i{n}_{i}++) {{");
                }

                b.Append($" nl{n} += {X0} * {Y0};").Append(new string('}', depth));
                return DeclareAndUse(block, b.ToString(), $"nl{n}", $"nesting: {depth} nested loops");
            }

            case 3:
            {
                int depth = SizeFor(10, 150, 400);
                return DeclareAndUse(block, $"double pa{n} = {new string('(', depth)}{X0} * {Y0}{new string(')', depth)} + {Y0};", $"pa{n}", $"nesting: {depth}-deep parentheses");
            }

            default:
            {
                int depth = SizeFor(3, 30, 120);
                for (int i = 0; i < depth; i++)
                {
                    b.Append(i % 2 == 0 ? $"if ({Y0} > {Num(-0.95 + 0.01 * i)}) {{ " : "{ ");
                }

                b.Append($"nb{n} += {Y0} * {X0};").Append(new string('}', depth));
                return DeclareAndUse(block, $"double nb{n} = 0; " + b, $"nb{n}", $"nesting: {depth} nested blocks and ifs");
            }
        }
    }

    private static readonly string[] RefStatements =
    {
        "ref double r{n} = ref Arr0[0]; r{n} += X0;", "ref double r{n} = ref Field0; r{n} = Y0;",
        "ref readonly double r{n} = ref Arr0[1]; double u{n} = r{n} * Y0;", "ref double r{n} = ref Data0; r{n} *= 2;",
        "span:ref readonly double r{n} = ref y[0]; double u{n} = r{n} * X0;", "double u{n} = RefData0() * Y0;",
        "RefData0() = X0;", "ref double r{n} = ref RefData0(); double u{n} = r{n} + Y0;",
        "span:scoped ReadOnlySpan<double> s{n} = y; double u{n} = s{n}[0] * X0;",
    };

    private (BlockSyntax, string)? Insert(BlockSyntax block, string template, int unique, string what)
    {
        string text = instantiate(template);
        var inserted = ((BlockSyntax)SyntaxFactory.ParseStatement("{" + text + "}")).Statements;
        int at = rng.Next(block.Statements.Count + 1);
        return (block.WithStatements(block.Statements.InsertRange(at, inserted)), $"{what}: insert `{text}` at {at}");
    }

    private static readonly string[] OverloadExpressions =
    {
        "DiffHelper0(X0)", "DiffHelper0(Y0) * DiffHelper0(X0, 2)", "DiffHelper0(X0 * Y0) + DiffHelper0(Y0, 1)",
        "Walk0(Y0, 2)", "Walk0(X0 - Y0, 3) * DiffHelper0(Y0)", "Walk0(Y0, 0)",
    };

    private (BlockSyntax, string)? Overload(BlockSyntax block)
    {
        var candidates = Mutator.ValueExpressions(block);
        if (candidates.Count == 0)
        {
            return null;
        }

        ExpressionSyntax target = Pick(candidates);
        string text = instantiate(Pick(OverloadExpressions));
        return (block.ReplaceNode(target, SyntaxFactory.ParseExpression($"({target}) + ({text})")), $"overload: add `{text}` to `{target}`");
    }

    /// <summary>Renames a local of the body (every use) to a name the generated code uses.</summary>
    private (BlockSyntax, string)? Rename(BlockSyntax block)
    {
        var locals = block.DescendantNodes().OfType<VariableDeclaratorSyntax>().Select(v => v.Identifier.Text).Distinct().ToList();
        if (locals.Count == 0)
        {
            return Insert(block, $"double {Pick(GeneratedLookingNames)} = X0 * Y0;", 0, "naming");
        }

        string from = Pick(locals);
        string to = Pick(GeneratedLookingNames);
        BlockSyntax renamed = block.ReplaceTokens(
            block.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken) && t.Text == from),
            (_, t) => SyntaxFactory.Identifier(t.LeadingTrivia, to, t.TrailingTrivia));
        return (renamed, $"naming: local `{from}` -> `{to}`");
    }

    /// <summary>A change to the model around the mutated level: its modifiers, or a member with a generated-looking name.</summary>
    public (ModelSpec Spec, string What) MutateDeclaration(ModelSpec spec)
    {
        string name = level.ToString();
        string parameters = kind == ModelKind.Scalar ? "double x, double y" : "ReadOnlySpan<double> x, ReadOnlySpan<double> y";
        string header = $"public double {name}(";
        switch (rng.Next(7))
        {
            case 0:
                return (spec with { SourceTransform = s => s.Replace(header, $"public virtual double {name}(", StringComparison.Ordinal) }, "virtual: virtual level method");
            case 1:
                return (spec with
                {
                    SourceTransform = s => s.Replace(header, $"public virtual double {name}(", StringComparison.Ordinal)
                        + $"\npublic partial class {spec.Name}Derived : {spec.Name}\n{{\n    public override double {name}({parameters}) => 0.0;\n}}\n",
                }, "virtual: overridden in a subclass");
            case 2:
                return (spec with
                {
                    SourceTransform = s => WithDeclaration(s.Replace("public partial class", "public abstract partial class", StringComparison.Ordinal),
                        name, header, $"public abstract double {name}({parameters});"),
                }, "virtual: abstract level method");
            case 3:
                return (spec with { SourceTransform = s => WithDeclaration(s, name, header, $"public extern double {name}({parameters});") }, "virtual: extern level method");
            case 4:
                return (spec with { SourceTransform = s => SplitPartial(s, spec.Name, name, parameters, header) }, "virtual: partial level method with its body in another part");
            default:
                string member = Pick(GeneratedLookingMembers);
                return (spec with { Members = spec.Members + "\n" + member }, $"naming: member `{member}`");
        }
    }

    /// <summary>Where the level method starting at <paramref name="header"/> ends (ToSource writes Upper, then Lower last).</summary>
    private static (int Start, int End) Extent(string source, string name, string header)
    {
        int start = source.IndexOf(header, StringComparison.Ordinal);
        int end = name == "Upper" ? source.IndexOf("    [LowerLevel]", start, StringComparison.Ordinal) : source.LastIndexOf("}\n", StringComparison.Ordinal);
        return (start, end);
    }

    /// <summary>Replaces the level method (its attribute stays) with a bodiless declaration (abstract, extern).</summary>
    private static string WithDeclaration(string source, string name, string header, string declaration)
    {
        (int start, int end) = Extent(source, name, header);
        return source[..start] + declaration + "\n\n" + source[end..];
    }

    /// <summary>Turns the level method into a partial declaration and moves its body to a second part of the class.</summary>
    private static string SplitPartial(string source, string type, string name, string parameters, string header)
    {
        (int start, int end) = Extent(source, name, header);
        string method = source[start..end].TrimEnd();
        string implementation = "public partial double " + method["public double ".Length..];
        return source[..start] + $"public partial double {name}({parameters});\n\n" + source[end..]
            + $"\npublic partial class {type}\n{{\n{implementation}\n}}\n";
    }
}
