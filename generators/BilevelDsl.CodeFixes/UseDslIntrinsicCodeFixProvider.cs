using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BilevelDsl.CodeFixes
{
    /// <summary>
    /// BDSL0018: replaces a nonsmooth Math call in a lower-level objective by the Dsl intrinsic that states
    /// its smoothing: Math.Abs → Dsl.Abs, Math.Max(e, 0) → Dsl.Relu(e), Math.Max/Min → Dsl.Max/Min,
    /// Math.Pow(Math.Abs(e), p) → Dsl.PowAbs(e, p). Values and derivatives are unchanged.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UseDslIntrinsicCodeFixProvider))]
    [Shared]
    public sealed class UseDslIntrinsicCodeFixProvider : CodeFixProvider
    {
        public const string DiagnosticId = "BDSL0018";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticId);

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root == null)
            {
                return;
            }

            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                if (!(root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is InvocationExpressionSyntax invocation))
                {
                    continue;
                }

                (InvocationExpressionSyntax target, ExpressionSyntax replacement)? fix = Rewrite(invocation, DslPrefix(root));
                if (fix == null)
                {
                    continue;
                }

                string title = "Use " + ((InvocationExpressionSyntax)fix.Value.replacement).Expression;
                context.RegisterCodeFix(
                    CodeAction.Create(title, cancellationToken => ReplaceAsync(context.Document, fix.Value.target, fix.Value.replacement, cancellationToken), equivalenceKey: DiagnosticId),
                    diagnostic);
            }
        }

        /// <summary>The invocation to replace (the enclosing Math.Pow for |e|^p) and its replacement.</summary>
        internal static (InvocationExpressionSyntax, ExpressionSyntax)? Rewrite(InvocationExpressionSyntax invocation, string dsl)
        {
            string? name = MathName(invocation);
            SeparatedSyntaxList<ArgumentSyntax> args = invocation.ArgumentList.Arguments;
            if (name == "Abs" && args.Count == 1)
            {
                if (invocation.Parent is ArgumentSyntax argument && argument.Parent?.Parent is InvocationExpressionSyntax outer
                    && MathName(outer) == "Pow" && outer.ArgumentList.Arguments.Count == 2 && outer.ArgumentList.Arguments[0] == argument)
                {
                    return (outer, Call(dsl, "PowAbs", args[0].Expression, outer.ArgumentList.Arguments[1].Expression).WithTriviaFrom(outer));
                }

                return (invocation, Call(dsl, "Abs", args[0].Expression).WithTriviaFrom(invocation));
            }

            if ((name == "Max" || name == "Min") && args.Count == 2)
            {
                if (name == "Max" && IsZero(args[1].Expression))
                {
                    return (invocation, Call(dsl, "Relu", args[0].Expression).WithTriviaFrom(invocation));
                }

                if (name == "Max" && IsZero(args[0].Expression))
                {
                    return (invocation, Call(dsl, "Relu", args[1].Expression).WithTriviaFrom(invocation));
                }

                return (invocation, Call(dsl, name, args[0].Expression, args[1].Expression).WithTriviaFrom(invocation));
            }

            return null;
        }

        private static string? MathName(InvocationExpressionSyntax invocation) =>
            invocation.Expression is MemberAccessExpressionSyntax member && member.Expression.ToString() is "Math" or "System.Math" or "global::System.Math"
                ? member.Name.Identifier.ValueText
                : null;

        private static bool IsZero(ExpressionSyntax expression) =>
            expression is LiteralExpressionSyntax literal && literal.Token.Value is int i ? i == 0
            : expression is LiteralExpressionSyntax real && real.Token.Value is double d && d == 0.0;

        private static InvocationExpressionSyntax Call(string dsl, string name, params ExpressionSyntax[] arguments) =>
            SyntaxFactory.InvocationExpression(
                SyntaxFactory.ParseExpression(dsl + "." + name),
                SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(arguments.Select(a => SyntaxFactory.Argument(a.WithoutTrivia())))));

        /// <summary>"Dsl" when the file imports BilevelDsl (or is in it), else the qualified name.</summary>
        private static string DslPrefix(SyntaxNode root)
        {
            bool imported = root.DescendantNodes().OfType<UsingDirectiveSyntax>().Any(u => u.Name?.ToString() == "BilevelDsl")
                || root.DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>().Any(n => n.Name.ToString().StartsWith("BilevelDsl", System.StringComparison.Ordinal));
            return imported ? "Dsl" : "global::BilevelDsl.Dsl";
        }

        private static async Task<Document> ReplaceAsync(Document document, SyntaxNode target, SyntaxNode replacement, CancellationToken cancellationToken)
        {
            SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            return root == null ? document : document.WithSyntaxRoot(root.ReplaceNode(target, replacement));
        }
    }
}
