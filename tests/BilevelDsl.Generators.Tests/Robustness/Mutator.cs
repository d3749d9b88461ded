using BilevelDsl.GeneratorTests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BilevelDsl.GeneratorTests.Robustness;

/// <summary>
/// Mutates an objective body on its syntax tree: replaces expressions, inserts/replaces/deletes statements,
/// changes binary and assignment operators, swaps identifiers and literals, wraps expressions in calls. Every
/// mutant parses; whether it binds is up to C# (mutants that C# rejects are counted and skipped).
/// </summary>
public sealed class Mutator(Random rng, ModelKind kind, Level level)
{
    private readonly IReadOnlyList<string> _expressions = MutationPools.For(MutationPools.Expressions, kind);
    private readonly IReadOnlyList<string> _statements = MutationPools.For(MutationPools.Statements, kind);
    private StructuralMutations? _structural;
    private int _unique;

    /// <summary>The kinds of the mutations applied by the last <see cref="Mutate"/> ("expression", "size", ...).</summary>
    public List<string> Kinds { get; } = new();

    private StructuralMutations Structural => _structural ??= new StructuralMutations(rng, kind, level, Instantiate);

    /// <summary>Changes the model around the mutated level (modifiers, generated-looking member names).</summary>
    public (ModelSpec Spec, string Description) MutateDeclaration(ModelSpec spec)
    {
        (ModelSpec mutated, string what) = Structural.MutateDeclaration(spec);
        Kinds.Add(what[..what.IndexOf(':')]);
        return (mutated, what);
    }

    /// <summary>Applies 1-3 random mutations to <paramref name="body"/>; returns the new body and what was done.</summary>
    public (string Body, string Description) Mutate(string body)
    {
        string trimmed = body.Trim();
        if (trimmed.StartsWith("=>", StringComparison.Ordinal))
        {
            trimmed = "return " + trimmed[2..].Trim() + (trimmed.EndsWith(';') ? "" : ";");
        }

        var block = (BlockSyntax)SyntaxFactory.ParseStatement("{\n" + trimmed + "\n}");
        var done = new List<string>();
        int count = rng.Next(1, 4);
        for (int m = 0; m < count; m++)
        {
            (BlockSyntax next, string what) = MutateOnce(block);
            block = next;
            done.Add(what);
        }

        string text = string.Join("\n", block.NormalizeWhitespace().Statements.Select(s => s.ToFullString()));
        return (text, string.Join("; ", done));
    }

    private (BlockSyntax, string) MutateOnce(BlockSyntax block)
    {
        for (int attempt = 0; attempt < 10; attempt++)
        {
            int pick = rng.Next(19);
            if (pick >= 14)
            {
                string category = StructuralCategories[pick - 14];
                if (Structural.Apply(category, block, ++_unique) is { } structural)
                {
                    Kinds.Add(category);
                    return structural;
                }

                continue;
            }

            Kinds.Add(pick switch
            {
                0 or 1 or 2 => "expression",
                3 or 4 or 5 or 7 => "statement",
                6 => "delete",
                8 or 9 or 10 => "operator",
                11 => "identifier",
                12 => "literal",
                _ => "wrap",
            });
            (BlockSyntax, string)? result = pick switch
            {
                0 or 1 or 2 => ReplaceExpression(block),
                3 or 4 or 5 => InsertStatement(block),
                6 => DeleteStatement(block),
                7 => ReplaceStatement(block),
                8 or 9 => ChangeBinaryOperator(block),
                10 => ChangeAssignmentOperator(block),
                11 => SwapIdentifier(block),
                12 => ChangeLiteral(block),
                _ => WrapExpression(block),
            };
            if (result is { } r)
            {
                return r;
            }

            Kinds.RemoveAt(Kinds.Count - 1);
        }

        Kinds.Add("statement");
        return InsertStatement(block)!.Value;
    }

    private static readonly string[] StructuralCategories = { "size", "nesting", "ref", "overload", "naming" };

    private T Pick<T>(IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    private string Instantiate(string template) => MutationPools.Instantiate(template, kind, level, ++_unique);

    /// <summary>Expressions in value positions (not type names, not the target of a call or a member access).</summary>
    internal static List<ExpressionSyntax> ValueExpressions(SyntaxNode root) =>
        root.DescendantNodes().OfType<ExpressionSyntax>().Where(e =>
            e is not (TypeSyntax and not IdentifierNameSyntax)
            && e.Parent is not (MemberAccessExpressionSyntax or QualifiedNameSyntax or VariableDeclarationSyntax or NameColonSyntax)
            && !(e.Parent is InvocationExpressionSyntax call && call.Expression == e)
            && !(e is IdentifierNameSyntax id && id.Parent is InvocationExpressionSyntax)).ToList();

    private (BlockSyntax, string)? ReplaceExpression(BlockSyntax block)
    {
        var candidates = ValueExpressions(block);
        if (candidates.Count == 0)
        {
            return null;
        }

        ExpressionSyntax target = Pick(candidates);
        string text = Instantiate(Pick(_expressions));
        ExpressionSyntax replacement = SyntaxFactory.ParseExpression("(" + text + ")");
        return (block.ReplaceNode(target, replacement), $"replace `{target}` with `{text}`");
    }

    private (BlockSyntax, string)? InsertStatement(BlockSyntax block)
    {
        var blocks = block.DescendantNodesAndSelf().OfType<BlockSyntax>().ToList();
        BlockSyntax host = Pick(blocks);
        string text = Instantiate(Pick(_statements));
        var inserted = ((BlockSyntax)SyntaxFactory.ParseStatement("{" + text + "}")).Statements;
        int index = rng.Next(host.Statements.Count + 1);
        BlockSyntax newHost = host.WithStatements(host.Statements.InsertRange(index, inserted));
        return (block.ReplaceNode(host, newHost), $"insert `{text}` at {index}");
    }

    private (BlockSyntax, string)? DeleteStatement(BlockSyntax block)
    {
        var statements = block.DescendantNodes().OfType<StatementSyntax>().Where(s => s.Parent is BlockSyntax).ToList();
        if (statements.Count < 2)
        {
            return null;
        }

        StatementSyntax target = Pick(statements);
        return (block.RemoveNode(target, SyntaxRemoveOptions.KeepNoTrivia)!, $"delete `{target}`");
    }

    private (BlockSyntax, string)? ReplaceStatement(BlockSyntax block)
    {
        var statements = block.DescendantNodes().OfType<StatementSyntax>().Where(s => s.Parent is BlockSyntax).ToList();
        if (statements.Count == 0)
        {
            return null;
        }

        StatementSyntax target = Pick(statements);
        string text = Instantiate(Pick(_statements));
        var replacement = ((BlockSyntax)SyntaxFactory.ParseStatement("{" + text + "}")).Statements;
        return (block.ReplaceNode(target, replacement), $"replace `{target}` with `{text}`");
    }

    private static readonly SyntaxKind[] Arithmetic =
        { SyntaxKind.AddExpression, SyntaxKind.SubtractExpression, SyntaxKind.MultiplyExpression, SyntaxKind.DivideExpression, SyntaxKind.ModuloExpression };

    private static readonly SyntaxKind[] Comparison =
    {
        SyntaxKind.LessThanExpression, SyntaxKind.LessThanOrEqualExpression, SyntaxKind.GreaterThanExpression,
        SyntaxKind.GreaterThanOrEqualExpression, SyntaxKind.EqualsExpression, SyntaxKind.NotEqualsExpression,
    };

    private static readonly SyntaxKind[] Logical = { SyntaxKind.LogicalAndExpression, SyntaxKind.LogicalOrExpression };

    private (BlockSyntax, string)? ChangeBinaryOperator(BlockSyntax block)
    {
        var candidates = block.DescendantNodes().OfType<BinaryExpressionSyntax>().ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        BinaryExpressionSyntax target = Pick(candidates);
        SyntaxKind[] family = Arithmetic.Contains(target.Kind()) ? Arithmetic : Comparison.Contains(target.Kind()) ? Comparison : Logical;
        SyntaxKind kind = Pick(family);
        var replacement = SyntaxFactory.BinaryExpression(kind, target.Left, target.Right);
        return (block.ReplaceNode(target, replacement), $"`{target}` -> `{replacement.NormalizeWhitespace()}`");
    }

    private static readonly SyntaxKind[] Assignments =
    {
        SyntaxKind.SimpleAssignmentExpression, SyntaxKind.AddAssignmentExpression, SyntaxKind.SubtractAssignmentExpression,
        SyntaxKind.MultiplyAssignmentExpression, SyntaxKind.DivideAssignmentExpression,
    };

    private (BlockSyntax, string)? ChangeAssignmentOperator(BlockSyntax block)
    {
        var candidates = block.DescendantNodes().OfType<AssignmentExpressionSyntax>().ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        AssignmentExpressionSyntax target = Pick(candidates);
        var replacement = SyntaxFactory.AssignmentExpression(Pick(Assignments), target.Left, target.Right);
        return (block.ReplaceNode(target, replacement), $"`{target}` -> `{replacement.NormalizeWhitespace()}`");
    }

    private (BlockSyntax, string)? SwapIdentifier(BlockSyntax block)
    {
        var candidates = ValueExpressions(block).OfType<IdentifierNameSyntax>().ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        var names = candidates.Select(c => c.Identifier.Text).Concat(new[] { "x", "y", "Data0", "Arr0", "IntData0" }).Distinct().ToList();
        IdentifierNameSyntax target = Pick(candidates);
        string name = Pick(names);
        return (block.ReplaceNode(target, SyntaxFactory.IdentifierName(name)), $"identifier `{target}` -> `{name}`");
    }

    private (BlockSyntax, string)? ChangeLiteral(BlockSyntax block)
    {
        var candidates = block.DescendantNodes().OfType<LiteralExpressionSyntax>().Where(l => l.IsKind(SyntaxKind.NumericLiteralExpression)).ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        LiteralExpressionSyntax target = Pick(candidates);
        string literal = Pick(MutationPools.Literals);
        return (block.ReplaceNode(target, SyntaxFactory.ParseExpression("(" + literal + ")")), $"literal `{target}` -> `{literal}`");
    }

    private (BlockSyntax, string)? WrapExpression(BlockSyntax block)
    {
        var candidates = ValueExpressions(block);
        if (candidates.Count == 0)
        {
            return null;
        }

        ExpressionSyntax target = Pick(candidates);
        string wrapper = Pick(MutationPools.Wrappers);
        string text = string.Format(System.Globalization.CultureInfo.InvariantCulture, wrapper, target.ToString());
        return (block.ReplaceNode(target, SyntaxFactory.ParseExpression("(" + text + ")")), $"wrap `{target}` as `{text}`");
    }
}
