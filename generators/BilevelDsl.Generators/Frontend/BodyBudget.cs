using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BilevelDsl.Generators.Frontend
{
    /// <summary>
    /// Keeps the generator fast and its stack shallow on every keystroke: a body whose syntax is deeper or
    /// larger than the limits, or whose lowering would produce more statements than the limit (early returns
    /// copy the rest of a block into both arms), is reported as BDSL0021 instead of being differentiated.
    /// The syntax walk uses an explicit stack, so it cannot overflow whatever the body.
    /// </summary>
    internal sealed class BodyBudget
    {
        /// <summary>Deepest nesting of syntax (parentheses, operands, blocks) that the recursive passes may see.</summary>
        public const int MaxDepth = 200;

        /// <summary>Most syntax nodes in one body.</summary>
        public const int MaxNodes = 10000;

        /// <summary>Most statements one lowering may produce (counts the copies made for early returns).</summary>
        public const int MaxStatements = 800;

        private int statements;

        /// <summary>Why the body is too large, or null.</summary>
        public static string? Exceeded(MethodDeclarationSyntax method, CancellationToken cancellationToken)
        {
            SyntaxNode? body = (SyntaxNode?)method.Body ?? method.ExpressionBody;
            if (body == null)
            {
                return null;
            }

            var pending = new Stack<(SyntaxNode Node, int Depth)>();
            pending.Push((body, 1));
            int nodes = 0;
            while (pending.Count > 0)
            {
                (SyntaxNode node, int depth) = pending.Pop();
                if (++nodes > MaxNodes)
                {
                    return "more than " + MaxNodes.ToString(System.Globalization.CultureInfo.InvariantCulture) + " syntax nodes";
                }

                if (depth > MaxDepth)
                {
                    return "expressions or statements nested more than " + MaxDepth.ToString(System.Globalization.CultureInfo.InvariantCulture) + " deep";
                }

                if ((nodes & 1023) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                foreach (SyntaxNode child in node.ChildNodes())
                {
                    pending.Push((child, depth + 1));
                }
            }

            return null;
        }

        /// <summary>Counts one lowered statement; past the limit the lowering stops.</summary>
        public void Count()
        {
            if (++statements > MaxStatements)
            {
                throw new ExceededException("its lowering exceeds " + MaxStatements.ToString(System.Globalization.CultureInfo.InvariantCulture)
                    + " statements, usually because early returns copy the rest of the body into each branch");
            }
        }

        public sealed class ExceededException : Exception
        {
            public ExceededException(string message)
                : base(message)
            {
            }
        }
    }
}
