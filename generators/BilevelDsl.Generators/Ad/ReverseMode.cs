using System;
using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Ir;
using static BilevelDsl.Generators.Ir.Simplify;

namespace BilevelDsl.Generators.Ad
{
    /// <summary>A derivative program: its body (ending in a return of the value) and, per parameter of the
    /// differentiated function, the name of the output that receives its partial ("" for int parameters).</summary>
    internal sealed record DerivativeProgram(Block Body, EquatableArray<string> Outputs);

    /// <summary>
    /// Reverse mode as a source transformation of the IR. A scope (the function body, or one loop iteration)
    /// runs forward with its variables declared up front, then backward in reverse statement order,
    /// accumulating adjoints. Loops are reversed without a tape: the backward loop recomputes each
    /// iteration's locals before reversing it. That is exact because loops only carry += / -= accumulators,
    /// whose adjoints are fixed while the loop is reversed. Branches stay branches: the backward sweep
    /// re-tests the same (named, unchanged) condition.
    /// </summary>
    internal sealed partial class ReverseMode
    {
        private readonly NameTable names;
        private readonly Activity activity;
        private readonly IReadOnlyDictionary<string, Function> helpers;
        private readonly Dictionary<string, string> adjoints = new Dictionary<string, string>(StringComparer.Ordinal);
        private readonly Dictionary<string, string> vectorOutputs = new Dictionary<string, string>(StringComparer.Ordinal);
        private readonly HashSet<string> stored = new HashSet<string>(StringComparer.Ordinal);
        private string valueName = string.Empty;

        private ReverseMode(NameTable names, Activity activity, IReadOnlyDictionary<string, Function> helpers)
        {
            this.names = names;
            this.activity = activity;
            this.helpers = helpers;
        }

        /// <summary>
        /// The gradient of <paramref name="function"/> with respect to all its double and span parameters.
        /// <paramref name="outputNames"/> gives, per parameter, the name of its output (out double or Span).
        /// </summary>
        public static DerivativeProgram Gradient(Function function, IReadOnlyList<string> outputNames, IReadOnlyDictionary<string, Function> helpers)
        {
            NameTable names = IrNames.TableFor(function);
            foreach (string output in outputNames)
            {
                names.Reserve(output);
            }

            Block primal = Linearize.Apply(function.Body, names);
            Function linear = function with { Body = primal };
            var inputs = function.Parameters.Where(p => p.IsDifferentiable).Select(p => p.Name).ToList();
            var reverse = new ReverseMode(names, Activity.Of(linear, inputs), helpers);
            return reverse.Build(linear, outputNames);
        }

        private DerivativeProgram Build(Function function, IReadOnlyList<string> outputNames)
        {
            var body = new List<Stmt>();
            for (int i = 0; i < function.Parameters.Count; i++)
            {
                Parameter parameter = function.Parameters[i];
                if (parameter.Kind == ParameterKind.Span)
                {
                    vectorOutputs[parameter.Name] = outputNames[i];
                    body.Add(new ClearVector(new VecRef(outputNames[i])));
                }
                else if (parameter.Kind == ParameterKind.Scalar)
                {
                    adjoints[parameter.Name] = outputNames[i];
                    body.Add(new Assign(outputNames[i], ScalarType.Double, Zero, Declare: false));
                }
            }

            valueName = names.Fresh("value");
            body.Add(new Declare(valueName, ScalarType.Double));
            var scope = new List<Stmt>();
            ChooseFusedLoops(function.Body);
            EmitScope(StoreLoopVectors(function.Body), scope, recomputeScope: null);
            scope.Add(new Return(new Var(valueName, ScalarType.Double)));
            body.AddRange(WithoutDeadDefinitions(scope, ScopeNames(scope)));
            return new DerivativeProgram(new Block(EquatableArray.From(body)), EquatableArray.From(outputNames));
        }

        /// <summary>
        /// The store-versus-recompute rule: the computed vectors declared directly in the body of a loop at
        /// the top of the function are kept per iteration (slot i - from of a store sized trip count x length),
        /// so the backward sweep reads them instead of redoing the work that filled them (typically an O(rows x
        /// columns) matrix-vector product to recover a few logits). Scalars are recomputed (they are cheap
        /// given the stored vectors), and vectors of deeper loops are recomputed with their iteration.
        /// </summary>
        private Block StoreLoopVectors(Block body)
        {
            var output = new List<Stmt>();
            foreach (Stmt statement in body.Statements)
            {
                GenerationCancellation.ThrowIfRequested();
                if (!(statement is For loop) || fusedLoops.ContainsKey(loop.Index))
                {
                    output.Add(statement);
                    continue;
                }

                var loopBody = new List<Stmt>();
                Expr slot = Simplify.Sub(new Var(loop.Index, ScalarType.Int), loop.From);
                // A loop that runs no iteration (to < from) stores nothing.
                Expr trips = new Call(ScalarFunction.IntMax, EquatableArray.Of(Simplify.Sub(loop.To, loop.From), (Expr)new IntNum(0)));
                foreach (Stmt inner in loop.Body.Statements)
                {
                    if (inner is VecLocal local && local.Store == null)
                    {
                        string store = names.Fresh(local.Name + "_store");
                        stored.Add(local.Name);
                        output.Add(new VecStore(store, new Binary(BinaryOp.Multiply, local.Length, trips), local.Name));
                        loopBody.Add(local with { Store = store, Slot = slot });
                    }
                    else
                    {
                        loopBody.Add(inner);
                    }
                }

                output.Add(loop with { Body = new Block(EquatableArray.From(loopBody)) });
            }

            return new Block(EquatableArray.From(output));
        }

        /// <summary>Forward then backward over one scope. In a loop iteration (<paramref name="recomputeScope"/>
        /// set) the forward part only recomputes: accumulation into variables outside the loop is skipped.</summary>
        private void EmitScope(Block block, List<Stmt> output, HashSet<string>? recomputeScope)
        {
            List<(string Name, ScalarType Type)> defined = IrWalker.Definitions(block, intoLoops: false);
            foreach ((string name, ScalarType type) in defined)
            {
                output.Add(new Declare(name, type));
            }

            output.AddRange(Forward(block, recomputeScope));
            foreach ((string name, ScalarType type) in defined)
            {
                if (type == ScalarType.Double && activity.IsActiveVariable(name))
                {
                    string adjoint = names.Fresh(name + "_bar");
                    adjoints[name] = adjoint;
                    output.Add(new Declare(adjoint, ScalarType.Double));
                }
            }

            // Computed vectors of this scope, including those declared in an if arm (a guarded body or the
            // rest of a body after an early return runs under 'not returned'); a nested loop has its own scope.
            var vectors = new List<VecLocal>();
            IrWalker.VisitStatements(block, statement =>
            {
                if (statement is VecLocal declared)
                {
                    vectors.Add(declared);
                }
            }, intoLoops: false);
            foreach (VecLocal local in vectors)
            {
                if (activity.IsActiveVectorName(local.Name))
                {
                    string adjoint = names.Fresh(local.Name + "_bar");
                    vectorOutputs[local.Name] = adjoint;
                    output.Add(new VecLocal(adjoint, local.Length));
                }
            }

            output.AddRange(Backward(block));
        }

        /// <summary>Removes definitions of the scope's own variables that nothing reads (recomputed values the
        /// backward sweep does not need, adjoints that receive nothing).</summary>
        private static List<Stmt> WithoutDeadDefinitions(List<Stmt> scope, ISet<string> removable) =>
            DeadCode.Eliminate(scope, removable);

        private List<Stmt> Forward(Block block, HashSet<string>? recomputeScope)
        {
            var output = new List<Stmt>();
            foreach (Stmt statement in block.Statements)
            {
                GenerationCancellation.ThrowIfRequested();
                switch (statement)
                {
                    case Assign a:
                        output.Add(a with { Declare = false }); // declared up front, so the backward sweep sees it
                        break;
                    case Declare:
                        break;
                    case AddTo add when recomputeScope != null && !recomputeScope.Contains(add.Target):
                        break; // that accumulator already holds its final value
                    case VecLocal local when recomputeScope != null && stored.Contains(local.Name):
                        output.Add(local with { Keep = true }); // the stored values, not a fresh zero vector
                        break;
                    case Stmt write when recomputeScope != null && IsSkippedWrite(write, recomputeScope):
                        break;
                    case If branch:
                        Block whenTrue = new Block(EquatableArray.From(Forward(branch.Then, recomputeScope)));
                        Block whenFalse = new Block(EquatableArray.From(Forward(branch.Else, recomputeScope)));
                        if (whenTrue.Statements.Count + whenFalse.Statements.Count > 0)
                        {
                            output.Add(new If(branch.Condition, whenTrue, whenFalse));
                        }

                        break;
                    case For loop when recomputeScope == null && fusedLoops.TryGetValue(loop.Index, out FusedLoop? fusedForward):
                        EmitFusedLoop(loop, fusedForward, output);
                        break;
                    case For loop when recomputeScope != null:
                        Block body = Recompute(loop.Body, recomputeScope);
                        if (HasEffects(body))
                        {
                            output.Add(loop with { Body = body });
                        }

                        break;
                    case Return r:
                        output.Add(new Assign(valueName, ScalarType.Double, r.Value, Declare: false));
                        break;
                    default:
                        output.Add(statement);
                        break;
                }
            }

            return output;
        }

        /// <summary>A nested loop's body as recomputation: keeps its own declarations, drops outer accumulation.</summary>
        private Block Recompute(Block block, HashSet<string> recomputeScope)
        {
            var output = new List<Stmt>();
            foreach (Stmt statement in block.Statements)
            {
                GenerationCancellation.ThrowIfRequested();
                switch (statement)
                {
                    case AddTo add when !recomputeScope.Contains(add.Target):
                        break;
                    case Stmt write when IsSkippedWrite(write, recomputeScope):
                        break;
                    case If branch:
                        Block whenTrue = Recompute(branch.Then, recomputeScope);
                        Block whenFalse = Recompute(branch.Else, recomputeScope);
                        if (whenTrue.Statements.Count + whenFalse.Statements.Count > 0)
                        {
                            output.Add(new If(branch.Condition, whenTrue, whenFalse));
                        }

                        break;
                    case For loop:
                        Block body = Recompute(loop.Body, recomputeScope);
                        if (HasEffects(body))
                        {
                            output.Add(loop with { Body = body });
                        }

                        break;
                    default:
                        output.Add(statement);
                        break;
                }
            }

            return new Block(EquatableArray.From(output));
        }

        /// <summary>A vector write a recomputed iteration leaves out: into a vector declared outside the
        /// iteration (it already holds its final value) or into a stored vector (its values are kept).</summary>
        private bool IsSkippedWrite(Stmt statement, HashSet<string> recomputeScope) =>
            statement is AddToElement or AddVector or MatVecUpdate or OuterUpdate
            && IrWalker.VectorWritten(statement) is string target
            && (!recomputeScope.Contains(target) || stored.Contains(target));

        /// <summary>
        /// Propagates one adjoint. When that multiplies it by a partial (which may be infinite where the
        /// primal overflowed), the statements run only for a nonzero adjoint: a zero adjoint contributes
        /// exactly zero, never 0 * inf = NaN. Pure pass-through (sums) needs no guard.
        /// </summary>
        private static void Guarded(string adjoint, Action<List<Stmt>> propagate, List<Stmt> output)
        {
            var inner = new List<Stmt>();
            propagate(inner);
            var self = new Var(adjoint, ScalarType.Double);
            bool passThrough = inner.All(statement => statement switch
            {
                AddTo add => add.Value.Equals(self) || add.Value.Equals(Neg(self)),
                AddToElement element => element.Value.Equals(self) || element.Value.Equals(Neg(self)),
                _ => false,
            });
            if (passThrough)
            {
                output.AddRange(inner);
                return;
            }

            output.Add(new If(new Binary(BinaryOp.NotEqual, self, Zero), new Block(EquatableArray.From(inner)), Block.Empty, adjoint));
        }

        /// <summary>A loop's only effects outside its body are accumulation into scalars and vectors; without
        /// any, it can be dropped.</summary>
        private static bool HasEffects(Block block) => block.Statements.Any(statement => statement switch
        {
            AddTo or AddToElement or AddVector or MatVecUpdate or OuterUpdate => true,
            If branch => HasEffects(branch.Then) || HasEffects(branch.Else),
            For loop => HasEffects(loop.Body),
            _ => false,
        });

        /// <summary>Names declared directly in a scope's statement list (its hoisted declarations).</summary>
        private static HashSet<string> ScopeNames(List<Stmt> scope) =>
            new HashSet<string>(scope.OfType<Declare>().Select(d => d.Name), StringComparer.Ordinal);

        private static HashSet<string> DefinedAnywhere(Block block)
        {
            var defined = new HashSet<string>(IrWalker.Definitions(block, intoLoops: true).Select(d => d.Name), StringComparer.Ordinal);
            IrWalker.VisitStatements(block, statement =>
            {
                if (statement is VecLocal local)
                {
                    defined.Add(local.Name);
                }
            });
            return defined;
        }
    }
}
