using System.Collections.Generic;
using System.Linq;
using System.Threading;
using BilevelDsl.Generators.Diagnostics;
using BilevelDsl.Generators.Ir;
using BilevelDsl.Generators.Pipeline;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace BilevelDsl.Generators.Frontend
{
    /// <summary>
    /// Lowers one objective or helper body from C# (as IOperation) into the IR. It is an allow-list: every
    /// construct not handled here becomes a BDSL error at the offending node, never a guessed derivative.
    /// Along the way it renames variables so that each is assigned once per path (if/else merges get a
    /// phi variable assigned in both arms), turns ?: into real branches, lowers an if whose arm may return to a
    /// join (a result and a returned flag, the rest of the body run once under 'not returned', never copied into
    /// both arms), and checks that loops carry no state but += / -= accumulation.
    /// This file holds the entry point and statement sequencing; BodyLowerer.Statements.cs locals and assignments,
    /// BodyLowerer.ControlFlow.cs if/else and for loops, BodyLowerer.Returns.cs the early-return join,
    /// BodyLowerer.Expressions.cs scalar expressions, BodyLowerer.Calls.cs calls, BodyLowerer.Operands.cs vector,
    /// matrix and data operands, BodyLowerer.Vectors.cs computed vectors, BodyLowerer.State.cs what a user
    /// variable currently means.
    /// </summary>
    internal sealed partial class BodyLowerer
    {
        private readonly SemanticModel semanticModel;
        private readonly IMethodSymbol method;
        private readonly INamedTypeSymbol modelType;
        private readonly ICollection<IMethodSymbol> helpers;
        private readonly List<Diagnostic> diagnostics;
        private readonly HashSet<(string Id, TextSpan Span)> reported = new HashSet<(string, TextSpan)>();
        private readonly CancellationToken cancellationToken;
        private readonly NameTable names;
        private readonly Dictionary<string, DataSymbol> data = new Dictionary<string, DataSymbol>(System.StringComparer.Ordinal);
        private readonly List<LoopFrame> loops = new List<LoopFrame>();
        private readonly List<NonsmoothTerm> nonsmooth = new List<NonsmoothTerm>();
        private readonly List<TermSite> sites = new List<TermSite>();
        private SyntaxNode? statementSyntax;
        private Dictionary<ISymbol, Binding> state = new Dictionary<ISymbol, Binding>(SymbolEqualityComparer.Default);
        private readonly BodyBudget budget = new BodyBudget();
        private bool failed;

        private BodyLowerer(SemanticModel semanticModel, IMethodSymbol method, ICollection<IMethodSymbol> helpers, List<Diagnostic> diagnostics, CancellationToken cancellationToken)
        {
            this.semanticModel = semanticModel;
            this.method = method;
            modelType = method.ContainingType;
            this.helpers = helpers;
            this.diagnostics = diagnostics;
            this.cancellationToken = cancellationToken;
            var reserved = new List<string>(modelType.GetMembers().Select(m => m.Name));
            names = new NameTable(reserved);
        }

        /// <summary>
        /// Lowers <paramref name="method"/>. Level methods have (x, y) parameters of the <paramref name="variableKind"/>s;
        /// helpers (variableKind null) have double and int parameters. Returns null if the body was rejected
        /// (the reasons are in <paramref name="diagnostics"/>).
        /// </summary>
        public static Function? Lower(
            IMethodSymbol method,
            MethodDeclarationSyntax syntax,
            SemanticModel semanticModel,
            VariableKinds? variableKind,
            ICollection<IMethodSymbol> helpers,
            List<Diagnostic> diagnostics,
            CancellationToken cancellationToken)
        {
            // A partial method implemented in another file: the implementation's parameters are the ones its body reads.
            method = method.PartialImplementationPart ?? method;
            var lowerer = new BodyLowerer(semanticModel, method, helpers, diagnostics, cancellationToken);
            using (GenerationCancellation.For(cancellationToken))
            {
                return lowerer.Run(syntax, variableKind);
            }
        }

        private Function? Run(MethodDeclarationSyntax syntax, VariableKinds? variableKind)
        {
            if (BodyBudget.Exceeded(syntax, cancellationToken) is string tooLarge)
            {
                Report(DiagnosticCatalog.BodyTooLarge, syntax.Identifier.GetLocation(), method.Name, tooLarge);
                return null;
            }

            foreach (SyntaxToken token in syntax.DescendantTokens())
            {
                if (token.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken))
                {
                    names.Reserve(token.ValueText);
                }
            }

            var parameters = new List<Parameter>();
            foreach (IParameterSymbol parameter in method.Parameters)
            {
                names.Reserve(parameter.Name);
                ParameterKind kind = variableKind?.Of(parameter.Ordinal == 0)
                    ?? (parameter.Type.SpecialType == SpecialType.System_Int32 ? ParameterKind.Int : ParameterKind.Scalar);
                parameters.Add(new Parameter(parameter.Name, kind));
                state[parameter] = kind == ParameterKind.Span
                    ? Binding.ForAlias(new VecRef(parameter.Name), 0)
                    : new Binding(parameter.Name, kind == ParameterKind.Int ? ScalarType.Int : ScalarType.Double, 0);
            }

            IOperation? body = semanticModel.GetOperation(syntax, cancellationToken) switch
            {
                IMethodBodyOperation methodBody => (IOperation?)methodBody.BlockBody ?? methodBody.ExpressionBody,
                _ => null,
            };
            if (body == null)
            {
                Report(DiagnosticCatalog.UnsupportedStatement, syntax.Identifier.GetLocation(), "A method without a body", string.Empty);
                return null;
            }

            List<Stmt> statements;
            try
            {
                statements = LowerStatements(Flatten(body), 0);
            }
            catch (BodyBudget.ExceededException exceeded)
            {
                Report(DiagnosticCatalog.BodyTooLarge, syntax.Identifier.GetLocation(), method.Name, exceeded.Message);
                return null;
            }

            if (failed)
            {
                return null;
            }

            return new Function(
                variableKind == null ? HelperKey(method, helpers) : method.Name,
                EquatableArray.From(parameters),
                EquatableArray.From(data.Values.OrderBy(d => d.Name, System.StringComparer.Ordinal)),
                new Block(EquatableArray.From(statements)),
                EquatableArray.From(nonsmooth.Distinct()),
                EquatableArray.From(sites));
        }

        /// <summary>Records which C# statement gave <paramref name="target"/> its value (for the convexity analysis's reasons).</summary>
        private void NoteSite(string target, Expr value)
        {
            if (statementSyntax != null)
            {
                sites.Add(new TermSite(target, value, LocationText(statementSyntax.GetLocation()), Shorten(statementSyntax.ToString())));
            }
        }

        /// <summary>Lowers a statement list that ends the function on every path (it ends in returns).</summary>
        private List<Stmt> LowerStatements(IReadOnlyList<IOperation> operations, int start)
        {
            var output = new List<Stmt>();
            JoinVersions? outer = join;
            LowerSequence(operations, start, output);
            if (join != outer)
            {
                output.Add(new Return(new Var(join!.Result, ScalarType.Double)));
                join = outer;
            }

            return output;
        }

        /// <summary>
        /// Lowers statements in order. An if whose arms either always return or never do moves the rest of the
        /// list into the arm that falls through (it is lowered once). Any other statement that may return
        /// switches to the join (see BodyLowerer.Returns.cs): returns define the result and a "returned" flag,
        /// and the rest of the list runs under "not returned", lowered once.
        /// </summary>
        private void LowerSequence(IReadOnlyList<IOperation> operations, int start, List<Stmt> output)
        {
            for (int k = start; k < operations.Count; k++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                IOperation operation = operations[k];
                bool mayReturn = loops.Count == 0 && !(operation is IReturnOperation) && ContainsReturn(operation);
                if (mayReturn && join == null && operation is IConditionalOperation branch && !NeedsJoin(branch))
                {
                    List<IOperation> rest = operations.Skip(k + 1).ToList();
                    Expr condition = LowerCondition(branch.Condition, output);
                    Dictionary<ISymbol, Binding> saved = Clone(state);
                    List<Stmt> whenTrue = LowerStatements(Flatten(branch.WhenTrue).Concat(rest).ToList(), 0);
                    state = Clone(saved);
                    List<IOperation> falseOperations = branch.WhenFalse == null ? new List<IOperation>() : Flatten(branch.WhenFalse);
                    List<Stmt> whenFalse = LowerStatements(falseOperations.Concat(rest).ToList(), 0);
                    output.Add(new If(condition, ToBlock(whenTrue), ToBlock(whenFalse)));
                    return;
                }

                if (mayReturn && join == null)
                {
                    EnterJoin(output);
                }

                LowerStatement(operation, output);
                if (join == null ? output.Count > 0 && output[output.Count - 1] is Return : AlwaysReturns(operation))
                {
                    break; // anything after a return is unreachable
                }

                if (mayReturn && k + 1 < operations.Count)
                {
                    LowerUnlessReturned(operations, k + 1, output);
                    return;
                }
            }
        }

        /// <summary>The IR name of a [Differentiable] helper: its name, with its overload's position when the
        /// model has several helpers of that name (resolved by symbol, not by name).</summary>
        public static string HelperKey(IMethodSymbol helper, IEnumerable<IMethodSymbol> helpers)
        {
            var overloads = helpers.Where(h => h.Name == helper.Name)
                .OrderBy(h => h.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), System.StringComparer.Ordinal)
                .ToList();
            int index = overloads.FindIndex(h => SymbolEqualityComparer.Default.Equals(h, helper));
            return HelperKeys.For(helper.Name, index < 0 ? 0 : index, overloads.Count);
        }

        private static bool ContainsReturn(IOperation operation) =>
            operation.DescendantsAndSelf().Any(o => o is IReturnOperation);

        private static List<IOperation> Flatten(IOperation operation) =>
            operation is IBlockOperation block ? block.Operations.ToList() : new List<IOperation> { operation };

        private static Block ToBlock(List<Stmt> statements) => new Block(EquatableArray.From(statements));

        private static Dictionary<ISymbol, Binding> Clone(Dictionary<ISymbol, Binding> source) =>
            new Dictionary<ISymbol, Binding>(source, SymbolEqualityComparer.Default);

        private static string StatementName(IOperation operation) => operation switch
        {
            IWhileLoopOperation { ConditionIsTop: false } => "A 'do' loop",
            IWhileLoopOperation => "A 'while' loop",
            IForEachLoopOperation => "A 'foreach' loop",
            IForToLoopOperation or ILoopOperation => "This kind of loop",
            ISwitchOperation => "A 'switch' statement",
            ITryOperation => "A 'try' statement",
            IUsingOperation or IUsingDeclarationOperation => "A 'using' statement",
            ILockOperation => "A 'lock' statement",
            IThrowOperation => "A 'throw'",
            IBranchOperation { BranchKind: BranchKind.Break } => "A 'break' statement",
            IBranchOperation { BranchKind: BranchKind.Continue } => "A 'continue' statement",
            IBranchOperation => "A 'goto' statement",
            ILabeledOperation => "A labeled statement",
            ILocalFunctionOperation => "A local function",
            IInvocationOperation => "A call whose result is discarded",
            IReturnOperation => "A return without a value",
            _ => "The statement '" + Shorten(operation.Syntax.ToString()) + "'",
        };

        private static string StatementAdvice(IOperation operation) => operation switch
        {
            IWhileLoopOperation or IForEachLoopOperation => "; use a for loop with loop-invariant bounds",
            IBranchOperation => "; use if/else inside the loop instead",
            ISwitchOperation => "; use if/else or ?:",
            _ => string.Empty,
        };

        private static string Shorten(string text)
        {
            text = text.Replace("\r", " ").Replace("\n", " ");
            return text.Length <= 60 ? text : text.Substring(0, 57) + "...";
        }

        private void Report(DiagnosticDescriptor descriptor, Location location, params object[] args)
        {
            failed |= descriptor.DefaultSeverity == DiagnosticSeverity.Error;
            if (reported.Add((descriptor.Id, location.SourceSpan)))
            {
                diagnostics.Add(Diagnostic.Create(descriptor, location, args));
            }
        }
    }
}
