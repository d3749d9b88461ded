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
    /// phi variable assigned in both arms), turns ?: into real branches, duplicates the statements after an
    /// if whose arm returns into both arms, and checks that loops carry no state but += / -= accumulation.
    /// This file holds the statements; BodyLowerer.Expressions.cs the expressions.
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
            return lowerer.Run(syntax, variableKind);
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

        private List<Stmt> LowerStatements(IReadOnlyList<IOperation> operations, int start)
        {
            var output = new List<Stmt>();
            for (int k = start; k < operations.Count; k++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                IOperation operation = operations[k];
                if (operation is IConditionalOperation branch && loops.Count == 0 && ContainsReturn(branch))
                {
                    // An arm returns: the rest of the block belongs to whichever arm does not, so move a copy of
                    // it into both arms. Every path then ends in exactly one return.
                    List<IOperation> rest = operations.Skip(k + 1).ToList();
                    Expr condition = LowerCondition(branch.Condition, output);
                    Dictionary<ISymbol, Binding> saved = Clone(state);
                    List<Stmt> whenTrue = LowerStatements(Flatten(branch.WhenTrue).Concat(rest).ToList(), 0);
                    state = Clone(saved);
                    List<IOperation> falseOperations = branch.WhenFalse == null ? new List<IOperation>() : Flatten(branch.WhenFalse);
                    List<Stmt> whenFalse = LowerStatements(falseOperations.Concat(rest).ToList(), 0);
                    output.Add(new If(condition, ToBlock(whenTrue), ToBlock(whenFalse)));
                    return output;
                }

                LowerStatement(operation, output);
                if (output.Count > 0 && output[output.Count - 1] is Return)
                {
                    break; // anything after a return is unreachable
                }
            }

            return output;
        }

        private void LowerStatement(IOperation operation, List<Stmt> output)
        {
            budget.Count();
            if (!(operation is IBlockOperation) && !(operation is IForLoopOperation) && !(operation is IConditionalOperation))
            {
                statementSyntax = operation.Syntax;
            }

            switch (operation)
            {
                case IVariableDeclarationGroupOperation group:
                    foreach (IVariableDeclarationOperation declaration in group.Declarations)
                    {
                        foreach (IVariableDeclaratorOperation declarator in declaration.Declarators)
                        {
                            DeclareLocal(declarator, output);
                        }
                    }

                    break;
                case IExpressionStatementOperation statement:
                    LowerExpressionStatement(statement.Operation, output);
                    break;
                case IReturnOperation ret when ret.ReturnedValue != null:
                    if (loops.Count > 0)
                    {
                        Report(DiagnosticCatalog.UnsupportedStatement, ret.Syntax.GetLocation(), "A return inside a loop", "; accumulate inside the loop and return after it");
                        return;
                    }

                    Expr returned = LowerExpr(ret.ReturnedValue, output);
                    NoteSite(TermSite.ReturnTarget, returned);
                    output.Add(new Return(returned));
                    break;
                case IConditionalOperation branch:
                    LowerIf(branch, output);
                    break;
                case IForLoopOperation loop:
                    LowerFor(loop, output);
                    break;
                case IEmptyOperation:
                    break;
                case IInvalidOperation:
                    failed = true; // C# already reports this code
                    break;
                case IBlockOperation block:
                    foreach (IOperation inner in block.Operations)
                    {
                        LowerStatement(inner, output);
                    }

                    break;
                default:
                    Report(DiagnosticCatalog.UnsupportedStatement, operation.Syntax.GetLocation(), StatementName(operation), StatementAdvice(operation));
                    break;
            }
        }

        private void DeclareLocal(IVariableDeclaratorOperation declarator, List<Stmt> output)
        {
            ILocalSymbol local = declarator.Symbol;
            IOperation? initializer = declarator.Initializer?.Value ?? declarator.GetVariableInitializer()?.Value;
            if (local.IsConst)
            {
                return; // reads of a constant fold to its value
            }

            if (local.RefKind != RefKind.None)
            {
                // A ref local could write model data (ref double r = ref D[0]; r += 1) behind the kernels' back.
                Report(DiagnosticCatalog.UnsupportedStatement, declarator.Syntax.GetLocation(), "A ref local", "; copy the value into an ordinary local (double r = D[0];)");
                state[local] = Binding.Poisoned(loops.Count);
                return;
            }

            if (ModelShapeReader.IsSpanOfDouble(local.Type) || local.Type.ToDisplayString() == MatrixViewType)
            {
                DeclareVectorLocal(declarator, local, initializer, output);
                return;
            }

            if (ModelShapeReader.IsReadOnlySpanOfDouble(local.Type))
            {
                if (initializer == null)
                {
                    Report(DiagnosticCatalog.UnsupportedStatement, declarator.Syntax.GetLocation(), "A ReadOnlySpan<double> local without an initializer", "; initialise it where it is declared and never reassign it");
                    return;
                }

                if (IsComputedVector(Unconverted(initializer)))
                {
                    ReportVector(Unconverted(initializer), "cannot be aliased by a ReadOnlySpan<double> local; pass the vector itself where it is read");
                    state[local] = Binding.Poisoned(loops.Count);
                    return;
                }

                VecRef? alias = LowerVector(initializer, output);
                if (alias?.Row != null)
                {
                    // A data row stays a span in the generated code (not X[i, j] in the hot loop).
                    string rowName = names.Fresh(local.Name);
                    output.Add(new SpanAlias(rowName, alias));
                    alias = new VecRef(rowName);
                }

                if (alias != null)
                {
                    state[local] = Binding.ForAlias(alias, loops.Count, alias.Length);
                }

                return;
            }

            ScalarType? type = ScalarTypeOf(local.Type);
            if (type == null)
            {
                Report(DiagnosticCatalog.UnsupportedStatement, declarator.Syntax.GetLocation(), "A local of type '" + local.Type.ToDisplayString() + "'", "; locals must be double, int, bool or ReadOnlySpan<double>");
                state[local] = Binding.Poisoned(loops.Count); // its uses are not reported again
                return;
            }

            if (initializer == null)
            {
                state[local] = new Binding(null, type.Value, loops.Count);
                return;
            }

            Expr value = LowerExpr(initializer, output);
            string name = names.Fresh(local.Name);
            NoteSite(name, value);
            output.Add(new Assign(name, type.Value, value, Declare: true));
            NoteInvariantInt(name, type.Value, value);
            state[local] = new Binding(name, type.Value, loops.Count);
        }

        private void LowerExpressionStatement(IOperation operation, List<Stmt> output)
        {
            switch (operation)
            {
                case ISimpleAssignmentOperation assignment when IsComputedElement(assignment.Target):
                    LowerElementWrite(assignment.Target, assignment.Value, BinaryOperatorKind.None, assignment.Syntax, output);
                    break;
                case ICompoundAssignmentOperation compoundElement when IsComputedElement(compoundElement.Target):
                    LowerElementWrite(compoundElement.Target, compoundElement.Value, compoundElement.OperatorKind, compoundElement.Syntax, output);
                    break;
                case IInvocationOperation call when IsVectorStatement(call):
                    LowerVectorStatement(call, output);
                    break;
                case ISimpleAssignmentOperation assignment:
                    if (WritableLocal(assignment.Target) is ISymbol target)
                    {
                        Binding binding = state[target];
                        if (binding.Alias != null)
                        {
                            Report(DiagnosticCatalog.UnsupportedStatement, assignment.Syntax.GetLocation(), "Reassigning the span local '" + target.Name + "'", "; declare a new local instead");
                        }
                        else if (binding.Depth < loops.Count)
                        {
                            Report(DiagnosticCatalog.LoopCarriedState, assignment.Syntax.GetLocation(), target.Name, "assigned");
                        }
                        else
                        {
                            Define(target, binding, LowerExpr(assignment.Value, output), output);
                        }
                    }

                    break;
                case ICompoundAssignmentOperation compound:
                    LowerCompound(compound.Target, compound.OperatorKind, compound.Value, compound.Syntax, output);
                    break;
                case IIncrementOrDecrementOperation step:
                    LowerCompound(step.Target, step.Kind == OperationKind.Increment ? BinaryOperatorKind.Add : BinaryOperatorKind.Subtract, null, step.Syntax, output);
                    break;
                default:
                    Report(DiagnosticCatalog.UnsupportedStatement, operation.Syntax.GetLocation(), StatementName(operation), StatementAdvice(operation));
                    break;
            }
        }

        private void LowerCompound(IOperation targetOperation, BinaryOperatorKind kind, IOperation? valueOperation, SyntaxNode syntax, List<Stmt> output)
        {
            if (!(WritableLocal(targetOperation) is ISymbol target))
            {
                return;
            }

            Binding binding = state[target];
            BinaryOp? op = kind switch
            {
                BinaryOperatorKind.Add => BinaryOp.Add,
                BinaryOperatorKind.Subtract => BinaryOp.Subtract,
                BinaryOperatorKind.Multiply => BinaryOp.Multiply,
                BinaryOperatorKind.Divide => BinaryOp.Divide,
                _ => null,
            };
            if (op == null || binding.Alias != null || binding.Name == null)
            {
                Report(DiagnosticCatalog.UnsupportedExpression, syntax.GetLocation(), syntax.ToString(), "compound assignment of this kind");
                return;
            }

            Expr value = valueOperation == null
                ? (binding.Type == ScalarType.Int ? (Expr)new IntNum(1) : new Num(1))
                : LowerExpr(valueOperation, output);
            if (binding.Depth < loops.Count)
            {
                // Declared outside the loop: only accumulation may cross iterations.
                if (op != BinaryOp.Add && op != BinaryOp.Subtract)
                {
                    Report(DiagnosticCatalog.LoopCarriedState, syntax.GetLocation(), target.Name, op == BinaryOp.Multiply ? "multiplied" : "divided");
                    return;
                }

                string accumulator = loops[binding.Depth].Accumulators[target];
                Expr added = op == BinaryOp.Subtract ? new Unary(UnaryOp.Negate, value) : value;
                NoteSite(accumulator, added);
                output.Add(new AddTo(accumulator, added));
                return;
            }

            Define(target, binding, new Binary(op.Value, new Var(binding.Name, binding.Type), value), output);
        }

        /// <summary>A new version of a variable: every assignment defines a fresh name.</summary>
        private void Define(ISymbol target, Binding binding, Expr value, List<Stmt> output)
        {
            string name = names.Fresh(target.Name);
            NoteSite(name, value);
            output.Add(new Assign(name, binding.Type, value, Declare: true));
            state[target] = new Binding(name, binding.Type, binding.Depth);
        }

        /// <summary>The local (or helper parameter) an assignment writes, or null after reporting why not.</summary>
        private ISymbol? WritableLocal(IOperation target)
        {
            ISymbol? symbol = target switch
            {
                ILocalReferenceOperation local => local.Local,
                IParameterReferenceOperation parameter when SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, method) => parameter.Parameter,
                _ => null,
            };
            if (symbol != null && state.TryGetValue(symbol, out Binding? binding))
            {
                if (binding.IsPoisoned)
                {
                    failed = true;
                    return null;
                }

                if (symbol is IParameterSymbol && binding.Depth == 0 && ModelShapeReader.RoleOf(method) != null)
                {
                    Report(DiagnosticCatalog.WriteToInputOrData, target.Syntax.GetLocation(), symbol.Name, "an input variable of the objective");
                    return null;
                }

                return symbol;
            }

            string what = target switch
            {
                IFieldReferenceOperation or IPropertyReferenceOperation or IArrayElementReferenceOperation => "model data",
                IParameterReferenceOperation => "model data (a constructor parameter)",
                _ => "not a local variable",
            };
            Report(DiagnosticCatalog.WriteToInputOrData, target.Syntax.GetLocation(), target.Syntax.ToString(), what);
            return null;
        }

        private void LowerIf(IConditionalOperation branch, List<Stmt> output)
        {
            Expr condition = LowerCondition(branch.Condition, output);
            Dictionary<ISymbol, Binding> before = Clone(state);
            var whenTrue = new List<Stmt>();
            foreach (IOperation operation in Flatten(branch.WhenTrue))
            {
                LowerStatement(operation, whenTrue);
            }

            Dictionary<ISymbol, Binding> afterTrue = state;
            state = Clone(before);
            var whenFalse = new List<Stmt>();
            if (branch.WhenFalse != null)
            {
                foreach (IOperation operation in Flatten(branch.WhenFalse))
                {
                    LowerStatement(operation, whenFalse);
                }
            }

            Dictionary<ISymbol, Binding> afterFalse = state;
            state = Clone(before);

            // Merge: a variable that either arm redefined gets a phi variable assigned at the end of both arms.
            foreach (KeyValuePair<ISymbol, Binding> entry in before)
            {
                Binding inTrue = afterTrue[entry.Key];
                Binding inFalse = afterFalse[entry.Key];
                if (entry.Value.IsComputed)
                {
                    state[entry.Key] = MergeComputed(entry.Value, inTrue, inFalse);
                    continue;
                }

                if (inTrue.Alias != null || (inTrue.Name == entry.Value.Name && inFalse.Name == entry.Value.Name))
                {
                    continue;
                }

                if (inTrue.Name == null || inFalse.Name == null)
                {
                    continue; // assigned on one path only: C# forbids reading it afterwards
                }

                string phi = names.Fresh(entry.Key.Name);
                output.Add(new Declare(phi, entry.Value.Type));
                whenTrue.Add(new Assign(phi, entry.Value.Type, new Var(inTrue.Name, entry.Value.Type), Declare: false));
                whenFalse.Add(new Assign(phi, entry.Value.Type, new Var(inFalse.Name, entry.Value.Type), Declare: false));
                state[entry.Key] = new Binding(phi, entry.Value.Type, entry.Value.Depth);
            }

            output.Add(new If(condition, ToBlock(whenTrue), ToBlock(whenFalse)));
        }

        private void LowerFor(IForLoopOperation loop, List<Stmt> output)
        {
            SyntaxNode header = loop.Syntax is ForStatementSyntax forSyntax ? (SyntaxNode)forSyntax : loop.Syntax;
            Location location = loop.Syntax is ForStatementSyntax f
                ? Location.Create(f.SyntaxTree, TextSpan.FromBounds(f.ForKeyword.SpanStart, f.CloseParenToken.Span.End))
                : header.GetLocation();

            IVariableDeclaratorOperation? index = loop.Before.Length == 1 && loop.Before[0] is IVariableDeclarationGroupOperation group
                && group.Declarations.Length == 1 && group.Declarations[0].Declarators.Length == 1
                ? group.Declarations[0].Declarators[0]
                : null;
            IOperation? start = index?.Initializer?.Value ?? index?.GetVariableInitializer()?.Value;
            if (index == null || start == null || index.Symbol.Type.SpecialType != SpecialType.System_Int32)
            {
                Report(DiagnosticCatalog.UnsupportedLoop, location, "it must declare exactly one int index with a start value");
                return;
            }

            ILocalSymbol indexSymbol = index.Symbol;
            if (!(loop.Condition is IBinaryOperation condition)
                || (condition.OperatorKind != BinaryOperatorKind.LessThan && condition.OperatorKind != BinaryOperatorKind.LessThanOrEqual)
                || !(condition.LeftOperand is ILocalReferenceOperation conditionIndex)
                || !SymbolEqualityComparer.Default.Equals(conditionIndex.Local, indexSymbol))
            {
                Report(DiagnosticCatalog.UnsupportedLoop, location, "the condition must be 'index < end' or 'index <= end'");
                return;
            }

            if (!IsUnitIncrement(loop.AtLoopBottom, indexSymbol))
            {
                Report(DiagnosticCatalog.UnsupportedLoop, location, "the index must increase by one per iteration (i++, ++i or i += 1)");
                return;
            }

            var declaredInside = new HashSet<ISymbol>(SymbolEqualityComparer.Default) { indexSymbol };
            var written = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            var accumulated = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            foreach (IOperation node in loop.Body.DescendantsAndSelf())
            {
                switch (node)
                {
                    case IVariableDeclaratorOperation declarator:
                        declaredInside.Add(declarator.Symbol);
                        break;
                    case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target }:
                        written.Add(target.Local);
                        break;
                    case ICompoundAssignmentOperation { Target: ILocalReferenceOperation target } compound:
                        written.Add(target.Local);
                        if (compound.OperatorKind is BinaryOperatorKind.Add or BinaryOperatorKind.Subtract)
                        {
                            accumulated.Add(target.Local);
                        }

                        break;
                    case ICompoundAssignmentOperation { Target: IParameterReferenceOperation target } compound:
                        // A helper's parameters are ordinary locals of the helper (accumulated like them).
                        written.Add(target.Parameter);
                        if (compound.OperatorKind is BinaryOperatorKind.Add or BinaryOperatorKind.Subtract)
                        {
                            accumulated.Add(target.Parameter);
                        }

                        break;
                    case ISimpleAssignmentOperation { Target: IParameterReferenceOperation target }:
                        written.Add(target.Parameter);
                        break;
                    case IIncrementOrDecrementOperation { Target: ILocalReferenceOperation target }:
                        written.Add(target.Local);
                        accumulated.Add(target.Local);
                        break;
                    case IIncrementOrDecrementOperation { Target: IParameterReferenceOperation target }:
                        written.Add(target.Parameter);
                        accumulated.Add(target.Parameter);
                        break;
                }
            }

            if (written.Contains(indexSymbol))
            {
                Report(DiagnosticCatalog.UnsupportedLoop, location, "the index '" + indexSymbol.Name + "' is assigned inside the loop");
                return;
            }

            foreach (ILocalReferenceOperation read in condition.RightOperand.DescendantsAndSelf().OfType<ILocalReferenceOperation>())
            {
                if (written.Contains(read.Local))
                {
                    Report(DiagnosticCatalog.UnsupportedLoop, location, "the bound reads '" + read.Local.Name + "', which changes inside the loop");
                    return;
                }
            }

            Expr from = LowerExpr(start, output);
            Expr to = LowerExpr(condition.RightOperand, output);
            if (condition.OperatorKind == BinaryOperatorKind.LessThanOrEqual)
            {
                to = new Binary(BinaryOp.Add, to, new IntNum(1));
            }

            // Accumulators declared at this depth get a fresh version before the loop; the loop adds into it.
            var frame = new LoopFrame();
            foreach (ISymbol symbol in accumulated)
            {
                if (declaredInside.Contains(symbol) || !state.TryGetValue(symbol, out Binding? binding) || binding.Name == null || binding.Alias != null)
                {
                    continue;
                }

                frame.Accumulated.Add(symbol);
                if (binding.Depth == loops.Count)
                {
                    string version = names.Fresh(symbol.Name);
                    output.Add(new Assign(version, binding.Type, new Var(binding.Name, binding.Type), Declare: true));
                    frame.Accumulators[symbol] = version;
                }
            }

            frame.Index = indexSymbol;
            PrepareFills(loop.Body, indexSymbol, from, to, output);
            Dictionary<ISymbol, Binding> before = Clone(state);
            loops.Add(frame);
            string indexName = names.Fresh(indexSymbol.Name);
            state[indexSymbol] = new Binding(indexName, ScalarType.Int, loops.Count);
            var body = new List<Stmt>();
            foreach (IOperation operation in Flatten(loop.Body))
            {
                LowerStatement(operation, body);
            }

            loops.RemoveAt(loops.Count - 1);
            Dictionary<ISymbol, Binding> inside = state;
            state = before;
            MergeComputedAfterLoop(before, inside);
            foreach (KeyValuePair<ISymbol, string> accumulator in frame.Accumulators)
            {
                Binding binding = state[accumulator.Key];
                state[accumulator.Key] = new Binding(accumulator.Value, binding.Type, binding.Depth);
            }

            output.Add(new For(indexName, from, to, ToBlock(body)));
        }

        private static bool IsUnitIncrement(System.Collections.Immutable.ImmutableArray<IOperation> bottom, ILocalSymbol index)
        {
            if (bottom.Length != 1)
            {
                return false;
            }

            IOperation step = bottom[0] is IExpressionStatementOperation statement ? statement.Operation : bottom[0];
            return step switch
            {
                IIncrementOrDecrementOperation { Kind: OperationKind.Increment, Target: ILocalReferenceOperation target } =>
                    SymbolEqualityComparer.Default.Equals(target.Local, index),
                ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add, Target: ILocalReferenceOperation target } compound =>
                    SymbolEqualityComparer.Default.Equals(target.Local, index) && compound.Value.ConstantValue.HasValue && Equals(compound.Value.ConstantValue.Value, 1),
                _ => false,
            };
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

        /// <summary>What a user variable currently means: an IR variable, a vector (span locals, computed
        /// vectors) or a matrix view. Immutable: a change of state replaces the binding.</summary>
        private sealed class Binding
        {
            public Binding(string? name, ScalarType type, int depth)
            {
                Name = name;
                Type = type;
                Depth = depth;
            }

            public string? Name { get; }

            public ScalarType Type { get; }

            public VecRef? Alias { get; private set; }

            /// <summary>The length of a computed vector or slice alias (null: ask the span for it).</summary>
            public Expr? Length { get; private set; }

            /// <summary>A Dsl.Reshape view of a variable.</summary>
            public MatRef? Matrix { get; private set; }

            /// <summary>A stackalloc'ed vector the body fills: Alias names its current version.</summary>
            public bool IsComputed { get; private set; }

            /// <summary>Computed vectors: every entry is still zero (nothing written since the version began).</summary>
            public bool IsPristine { get; private set; }

            /// <summary>Computed vectors: the version has been read, so it may not be written any more.</summary>
            public bool IsFrozen { get; private set; }

            /// <summary>How many loops enclose the declaration (for computed vectors: the current version).</summary>
            public int Depth { get; }

            /// <summary>A local whose declaration was rejected: reads and writes fail quietly (one error is enough).</summary>
            public bool IsPoisoned { get; private set; }

            /// <summary>Why a computed vector cannot be read here (overwritten in a loop or one branch), or null.</summary>
            public string? Stale { get; private set; }

            public static Binding ForAlias(VecRef alias, int depth, Expr? length = null) => new Binding(null, ScalarType.Double, depth) { Alias = alias, Length = length };

            public static Binding ForMatrix(MatRef matrix, int depth) => new Binding(null, ScalarType.Double, depth) { Matrix = matrix };

            public static Binding ForComputed(string version, Expr length, int depth) =>
                new Binding(null, ScalarType.Double, depth) { Alias = new VecRef(version), Length = length, IsComputed = true, IsPristine = true };

            public static Binding Poisoned(int depth) => new Binding(null, ScalarType.Double, depth) { IsPoisoned = true };

            /// <summary>A rejected computed vector: its writes and reads fail quietly too.</summary>
            public static Binding PoisonedVector(int depth) => new Binding(null, ScalarType.Double, depth) { IsPoisoned = true, IsComputed = true };

            public Binding Written() => Copy(IsFrozen, pristine: false, Stale);

            public Binding Read() => Copy(frozen: true, IsPristine, Stale);

            public Binding MadeStale(string why) => Copy(IsFrozen, IsPristine, why);

            /// <summary>The merge of two paths' states of the same version.</summary>
            public Binding Merged(Binding other) => Copy(IsFrozen || other.IsFrozen, IsPristine && other.IsPristine, Stale ?? other.Stale);

            private Binding Copy(bool frozen, bool pristine, string? stale) =>
                new Binding(Name, Type, Depth) { Alias = Alias, Length = Length, Matrix = Matrix, IsComputed = IsComputed, IsPristine = pristine, IsFrozen = frozen, IsPoisoned = IsPoisoned, Stale = stale };
        }

        private sealed class LoopFrame
        {
            /// <summary>Variables declared outside this loop that it accumulates into (they may not be read in it).</summary>
            public HashSet<ISymbol> Accumulated { get; } = new HashSet<ISymbol>(SymbolEqualityComparer.Default);

            /// <summary>The loop's index variable (element writes 'v[index] = e' fill a vector once per iteration).</summary>
            public ISymbol? Index { get; set; }

            /// <summary>For accumulators this loop owns: the IR variable the loop adds into.</summary>
            public Dictionary<ISymbol, string> Accumulators { get; } = new Dictionary<ISymbol, string>(SymbolEqualityComparer.Default);
        }
    }
}
