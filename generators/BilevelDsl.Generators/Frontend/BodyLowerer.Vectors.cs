using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Diagnostics;
using BilevelDsl.Generators.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace BilevelDsl.Generators.Frontend
{
    /// <summary>
    /// Computed vectors, slices and matrix views. A computed vector is a <c>stackalloc</c>ed Span local; the
    /// IR gives it a new version (a fresh zero vector) wherever the body overwrites it (MatVec, MatTVec,
    /// Softmax, Map, a full-range element loop), so that every write is an accumulation into a vector that
    /// started at zero, and a version is frozen once read. Those two facts make reverse mode exact without a
    /// tape: adjoints of vector writes are linear and every read sees the version's final value. Anything
    /// outside these rules is BDSL0020.
    /// </summary>
    internal sealed partial class BodyLowerer
    {
        private const string MatrixViewType = "BilevelDsl.MatrixView";

        private void DeclareVectorLocal(IVariableDeclaratorOperation declarator, ILocalSymbol local, IOperation? initializer, List<Stmt> output)
        {
            if (local.Type.ToDisplayString() == MatrixViewType)
            {
                MatRef? matrix = initializer == null ? null : LowerMatrix(initializer, output);
                if (initializer == null)
                {
                    Report(DiagnosticCatalog.UnsupportedStatement, declarator.Syntax.GetLocation(), "A MatrixView local without an initializer", "; initialise it with Dsl.Reshape where it is declared");
                }

                state[local] = matrix == null ? Binding.Poisoned(loops.Count) : Binding.ForMatrix(matrix, loops.Count);
                return;
            }

            // Span<double> z = stackalloc double[n];
            if (!(initializer?.Syntax is StackAllocArrayCreationExpressionSyntax stackAlloc)
                || stackAlloc.Initializer != null
                || !(stackAlloc.Type is ArrayTypeSyntax arrayType)
                || arrayType.RankSpecifiers.Count != 1
                || arrayType.RankSpecifiers[0].Sizes.Count != 1
                || !(semanticModel.GetOperation(arrayType.RankSpecifiers[0].Sizes[0], cancellationToken) is IOperation sizeOperation))
            {
                Report(DiagnosticCatalog.ComputedVectorMisuse, declarator.Syntax.GetLocation(), local.Name, "must be declared as 'Span<double> " + local.Name + " = stackalloc double[length];' (no initializer list)");
                state[local] = Binding.PoisonedVector(loops.Count);
                return;
            }

            Expr length = Inlined(LowerExpr(sizeOperation, output));
            if (!IsInvariantLength(length))
            {
                Report(DiagnosticCatalog.ComputedVectorMisuse, sizeOperation.Syntax.GetLocation(), local.Name, "must have a length made of constants, model data and the lengths of x and y (its memory is taken once per call, outside every loop)");
                state[local] = Binding.PoisonedVector(loops.Count);
                return;
            }

            string version = names.Fresh(local.Name);
            output.Add(new VecLocal(version, length));
            state[local] = Binding.ForComputed(version, length, loops.Count);
        }

        /// <summary>Int locals set once, outside every loop, from invariant values: their value expressions, so a
        /// length can name them and still be evaluated at the top of a derivative program.</summary>
        private readonly Dictionary<string, Expr> invariantInts = new Dictionary<string, Expr>(System.StringComparer.Ordinal);

        private void NoteInvariantInt(string name, ScalarType type, Expr value)
        {
            if (type == ScalarType.Int && loops.Count == 0)
            {
                Expr inlined = Inlined(value);
                if (IsInvariantLength(inlined))
                {
                    invariantInts[name] = inlined;
                }
            }
        }

        private Expr Inlined(Expr expr) => expr switch
        {
            Var v when invariantInts.TryGetValue(v.Name, out Expr? value) => value,
            Binary b => b with { Left = Inlined(b.Left), Right = Inlined(b.Right) },
            Unary u => u with { Operand = Inlined(u.Operand) },
            _ => expr,
        };

        /// <summary>Constants, int data, lengths and sizes of parameters and data: the same for the whole call.</summary>
        private bool IsInvariantLength(Expr length)
        {
            bool invariant = true;
            IrWalker.Visit(length, e =>
            {
                switch (e)
                {
                    case Var v when !data.ContainsKey(v.Name):
                        invariant = false;
                        break;
                    case Elem or MatElem or Call or HelperCall or VecCall:
                        invariant = false;
                        break;
                }
            });
            return invariant && length.Type == ScalarType.Int;
        }

        private bool IsComputedVector(IOperation operation) =>
            operation is ILocalReferenceOperation local && state.TryGetValue(local.Local, out Binding? binding) && binding.IsComputed;

        private static IOperation Unconverted(IOperation operation) =>
            operation is IConversionOperation conversion && IsSpanConversion(conversion) ? Unconverted(conversion.Operand) : operation;

        /// <summary>An identity or span conversion (T[] or Span to ReadOnlySpan: built in since C# 14, an op_Implicit
        /// of the span types before), never a user's operator.</summary>
        private static bool IsSpanConversion(IConversionOperation conversion) =>
            conversion.OperatorMethod == null
            || (conversion.OperatorMethod.Name == "op_Implicit"
                && conversion.OperatorMethod.ContainingType?.OriginalDefinition.ToDisplayString() is "System.ReadOnlySpan<T>" or "System.Span<T>");

        private bool IsComputedElement(IOperation target) =>
            target is IPropertyReferenceOperation { Property.IsIndexer: true, Instance: IOperation instance } indexer
            && indexer.Arguments.Length == 1
            && IsComputedVector(instance);

        /// <summary>z[k] = e (fills one entry of a fresh version), z[k] += e, z[k] -= e (accumulate).</summary>
        private void LowerElementWrite(IOperation target, IOperation valueOperation, BinaryOperatorKind kind, SyntaxNode syntax, List<Stmt> output)
        {
            var indexer = (IPropertyReferenceOperation)target;
            ISymbol symbol = ((ILocalReferenceOperation)indexer.Instance!).Local;
            Binding binding = state[symbol];
            if (binding.IsPoisoned)
            {
                failed = true;
                return;
            }

            IOperation indexOperation = indexer.Arguments[0].Value;
            if (kind == BinaryOperatorKind.None)
            {
                bool fillsOnce = loops.Count > 0 && binding.Depth == loops.Count - 1
                    && Unconverted(indexOperation) is ILocalReferenceOperation loopIndex
                    && SymbolEqualityComparer.Default.Equals(loopIndex.Local, loops[loops.Count - 1].Index);
                if (!fillsOnce || !binding.IsPristine)
                {
                    ReportVector(syntax, symbol.Name, "can be assigned with '=' only as 'v[k] = ...' in a loop over k, once per entry, into a vector declared just outside that loop and not written before (or by a loop over its whole length); use += to accumulate");
                    return;
                }
            }
            else if (kind != BinaryOperatorKind.Add && kind != BinaryOperatorKind.Subtract)
            {
                ReportVector(syntax, symbol.Name, "can only be written with =, += or -=");
                return;
            }

            if (!CanAccumulate(symbol, binding, syntax))
            {
                return;
            }

            Expr index = LowerExpr(indexOperation, output);
            Expr value = LowerExpr(valueOperation, output);
            output.Add(new AddToElement(binding.Alias!, index, kind == BinaryOperatorKind.Subtract ? new Unary(UnaryOp.Negate, value) : value));
            state[symbol] = state[symbol].Written();
        }

        /// <summary>Accumulation into the current version: not after it was read; across loops it is loop state.</summary>
        private bool CanAccumulate(ISymbol symbol, Binding binding, SyntaxNode syntax)
        {
            if (binding.IsFrozen)
            {
                ReportVector(syntax, symbol.Name, "is written after it was read; write a vector completely before reading it, or overwrite it (MatVec, Softmax, Map) to start a new one");
                return false;
            }

            for (int i = binding.Depth; i < loops.Count; i++)
            {
                loops[i].Accumulated.Add(symbol);
            }

            return true;
        }

        private static readonly HashSet<string> VectorStatements = new HashSet<string>(System.StringComparer.Ordinal) { "MatVec", "MatTVec", "Axpy", "Softmax", "Map" };

        private static bool IsVectorStatement(IInvocationOperation call) =>
            call.TargetMethod.ContainingType?.ToDisplayString() == DslType && VectorStatements.Contains(call.TargetMethod.Name);

        /// <summary>Dsl.MatVec / MatTVec / Softmax / Map overwrite their result (a new version); Axpy accumulates.</summary>
        private void LowerVectorStatement(IInvocationOperation call, List<Stmt> output)
        {
            string name = call.TargetMethod.Name;
            IOperation Argument(string parameter) => call.Arguments.First(a => a.Parameter?.Name == parameter).Value;
            IOperation resultOperation = Unconverted(Argument("result"));
            if (resultOperation is ILocalReferenceOperation poisonedLocal && state.TryGetValue(poisonedLocal.Local, out Binding? poisoned) && poisoned.IsPoisoned)
            {
                failed = true;
                return;
            }

            if (!(resultOperation is ILocalReferenceOperation resultLocal) || !state.TryGetValue(resultLocal.Local, out Binding? result) || !result.IsComputed)
            {
                ReportVector(resultOperation.Syntax, resultOperation.Syntax.ToString(), "is not a computed vector: the result of Dsl." + name + " must be a 'Span<double> v = stackalloc double[n];' local of the body");
                return;
            }

            if (result.IsPoisoned)
            {
                failed = true;
                return;
            }

            ISymbol symbol = resultLocal.Local;
            switch (name)
            {
                case "Axpy":
                {
                    Expr scale = LowerExpr(Argument("a"), output);
                    VecRef? source = LowerVector(Argument("vector"), output);
                    if (source != null && CanAccumulate(symbol, state[symbol], call.Syntax))
                    {
                        output.Add(new AddVector(state[symbol].Alias!, scale, new VecScaled(1, source)));
                        state[symbol] = state[symbol].Written();
                    }

                    return;
                }

                case "Map":
                {
                    VecRef? source = LowerVector(Argument("vector"), output);
                    IMethodSymbol? function = Unconverted(Argument("function")) switch
                    {
                        IDelegateCreationOperation { Target: IMethodReferenceOperation reference } => reference.Method,
                        _ => null,
                    };
                    if (function == null)
                    {
                        ReportVector(call.Syntax, symbol.Name, "is mapped with a function that is not a method group; pass a Math or Dsl function or a [Differentiable] helper by name");
                        return;
                    }

                    if (source == null)
                    {
                        return;
                    }

                    string version = NewVersion(symbol, output);
                    string k = names.Fresh("k");
                    var index = new Var(k, ScalarType.Int);
                    Expr? mapped = ScalarCallOf(function, EquatableArray.Of(ElementOf(source, index)), call);
                    if (mapped == null)
                    {
                        return;
                    }

                    var body = new List<Stmt> { new AddToElement(new VecRef(version), index, mapped) };
                    output.Add(new For(k, new IntNum(0), state[symbol].Length!, new Block(EquatableArray.From(body))));
                    state[symbol] = state[symbol].Written();
                    return;
                }

                case "Softmax":
                {
                    VecRef? source = LowerVector(Argument("vector"), output);
                    if (source != null)
                    {
                        string version = NewVersion(symbol, output);
                        output.Add(new AddVector(new VecRef(version), new Num(1), new VecSoftmax(source)));
                        state[symbol] = state[symbol].Written();
                    }

                    return;
                }

                default:
                {
                    MatRef? matrix = LowerMatrix(Argument("matrix"), output);
                    VecRef? source = LowerVector(Argument("vector"), output);
                    if (matrix != null && source != null)
                    {
                        string version = NewVersion(symbol, output);
                        output.Add(new MatVecUpdate(new VecRef(version), new Num(1), matrix, source, Transposed: name == "MatTVec"));
                        state[symbol] = state[symbol].Written();
                    }

                    return;
                }
            }
        }

        /// <summary>Starts a new (zero) version of a computed vector here, at the current loop depth.</summary>
        private string NewVersion(ISymbol symbol, List<Stmt> output)
        {
            Binding binding = state[symbol];
            string version = names.Fresh(symbol.Name);
            output.Add(new VecLocal(version, binding.Length!));
            state[symbol] = Binding.ForComputed(version, binding.Length!, loops.Count);
            return version;
        }

        /// <summary>
        /// Before a loop over k: a vector that the loop body fills with 'v[k] = ...' over its whole length
        /// gets a new version just outside the loop (unless it is still untouched there), so the fill is a
        /// fresh vector whichever values the old one had.
        /// </summary>
        private void PrepareFills(IOperation body, ILocalSymbol index, Expr from, Expr to, List<Stmt> output)
        {
            foreach (IOperation statement in Flatten(body))
            {
                if (statement is IExpressionStatementOperation { Operation: ISimpleAssignmentOperation assignment }
                    && IsComputedElement(assignment.Target)
                    && Unconverted(((IPropertyReferenceOperation)assignment.Target).Arguments[0].Value) is ILocalReferenceOperation written
                    && SymbolEqualityComparer.Default.Equals(written.Local, index))
                {
                    ISymbol vector = ((ILocalReferenceOperation)((IPropertyReferenceOperation)assignment.Target).Instance!).Local;
                    Binding binding = state[vector];
                    bool untouchedHere = binding.IsPristine && binding.Depth == loops.Count;
                    bool wholeLength = from.Equals(new IntNum(0)) && (to.Equals(binding.Length) || IsLengthOf(to, binding));
                    if (!untouchedHere && wholeLength && !binding.IsPoisoned)
                    {
                        NewVersion(vector, output);
                    }
                }
            }
        }

        private static bool IsLengthOf(Expr to, Binding binding) => to is Dim { Kind: DimensionKind.Length } dim && dim.Vector.Equals(binding.Alias);

        /// <summary>After a loop: a vector overwritten inside it (a new version there) cannot be read after it.</summary>
        private void MergeComputedAfterLoop(Dictionary<ISymbol, Binding> before, Dictionary<ISymbol, Binding> inside)
        {
            foreach (KeyValuePair<ISymbol, Binding> entry in before)
            {
                if (!entry.Value.IsComputed || !inside.TryGetValue(entry.Key, out Binding? after))
                {
                    continue;
                }

                state[entry.Key] = Equals(after.Alias, entry.Value.Alias)
                    ? after
                    : entry.Value.MadeStale("is overwritten inside a loop, so its value after the loop is the last iteration's; read it inside the loop, or accumulate what you need");
            }
        }

        private static Binding MergeComputed(Binding before, Binding whenTrue, Binding whenFalse)
        {
            if (Equals(whenTrue.Alias, before.Alias) && Equals(whenFalse.Alias, before.Alias))
            {
                return whenTrue.Merged(whenFalse);
            }

            return before.MadeStale("is overwritten in only some branches of an if; overwrite it before the if, or in both branches of a ?:-free helper vector");
        }

        /// <summary>A read of a computed vector's current version (freezes it).</summary>
        private VecRef? ReadComputed(ISymbol symbol, Binding binding, IOperation operation, bool freeze = true)
        {
            if (binding.IsPoisoned)
            {
                failed = true;
                return null;
            }

            if (binding.Stale != null)
            {
                ReportVector(operation.Syntax, symbol.Name, binding.Stale);
                return null;
            }

            for (int i = binding.Depth; i < loops.Count; i++)
            {
                if (loops[i].Accumulated.Contains(symbol))
                {
                    Report(DiagnosticCatalog.LoopCarriedState, operation.Syntax.GetLocation(), symbol.Name, "accumulated, and read");
                    return null;
                }
            }

            if (freeze)
            {
                state[symbol] = binding.Read();
            }

            return binding.Alias;
        }

        private void ReportVector(IOperation operation, string message) =>
            ReportVector(operation.Syntax, Shorten(operation.Syntax.ToString()), message);

        private void ReportVector(SyntaxNode syntax, string name, string message) =>
            Report(DiagnosticCatalog.ComputedVectorMisuse, syntax.GetLocation(), name, message);
    }
}
