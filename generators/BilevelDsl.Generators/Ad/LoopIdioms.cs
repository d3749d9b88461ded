using System;
using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Ir;
using BilevelDsl.Generators.Pipeline;

namespace BilevelDsl.Generators.Ad
{
    /// <summary>
    /// Loop-idiom recognition: scalar loops the user wrote over contiguous index ranges become the vector IR
    /// the intrinsics produce, before any derivative pass, so the gradient and Hessian-vector programs get the
    /// vector kernels (and the reverse sweep differentiates one vector statement instead of re-running a
    /// scalar inner loop). Loops are rewritten innermost first, so a recognised inner loop can make its
    /// enclosing loop an idiom too:
    /// <list type="bullet">
    /// <item><c>for j: s += c * a[j] * b[j]</c> (Dot, SquaredNorm when a and b are the same slice), <c>s += c * a[j]</c> (Sum);</item>
    /// <item><c>for j: z[j] += c * a[j]</c> on a computed vector (Axpy; a constant c alone adds c to each entry);</item>
    /// <item><c>for k: z[k] += c * Dot(row k of M, v)</c> (MatVec), where row k is <c>M.Row(k)</c> of data or the
    /// slice <c>[o + k * n, o + k * n + n)</c> of a span (a row of a row-major view);</item>
    /// <item><c>for k: r += c * u[k] * (row k of M)</c> (the transposed product Mᵀu, from a recognised inner axpy).</item>
    /// </list>
    /// An element operand is a double element whose index is j plus a j-invariant offset (any spelling:
    /// <c>k * d + j</c>, <c>j + k * d</c>, an int local holding it), of a variable, data array, computed vector
    /// or span alias, or <c>M[i, j]</c> of a data matrix or a view. A loop is left exactly as written unless
    /// every statement of its body is understood: straight-line locals, and effects (+= into an outer scalar or
    /// vector) that read none of the loop's targets (no loop-carried dependence), with no branch, no other loop
    /// and no call of a j-dependent value. Sums are split, never products of sums (that would change the
    /// rounding of a difference like (y[j] - b[j])^2), so the rewrite only reassociates additions.
    /// </summary>
    internal static partial class LoopIdioms
    {
        /// <summary>The function with every recognised loop replaced (the same instance when none is).</summary>
        public static Function Apply(Function function)
        {
            var context = new Context(function);
            List<Stmt> statements = context.RewriteBlock(function.Body.Statements);
            return context.Changed ? function with { Body = new Block(EquatableArray.From(statements)) } : function;
        }

        /// <summary>What the rewrite knows about the whole function: lengths, single int definitions, fresh names.</summary>
        private sealed partial class Context
        {
            private readonly Func<string, string> fresh;

            /// <summary>What depends on the inputs: a matrix-vector product's scale must not (the reverse sweep has
            /// no rule for an active scale of M v; such a loop stays an Axpy per row, which has one).</summary>
            private readonly Activity activity;

            /// <summary>Ints assigned once whose value reads no accumulated int: substituted when comparing sizes.</summary>
            private readonly Dictionary<string, Expr> intDefinitions = new Dictionary<string, Expr>(StringComparer.Ordinal);

            /// <summary>Declared lengths of computed vectors, and of span aliases of data rows (the matrix's columns).</summary>
            private readonly Dictionary<string, Expr> vectorLengths = new Dictionary<string, Expr>(StringComparer.Ordinal);

            /// <summary>Data arrays (not spans): a slice of one needs a span alias first.</summary>
            private readonly HashSet<string> dataArrays = new HashSet<string>(StringComparer.Ordinal);

            public Context(Function function)
            {
                var names = IrNames.TableFor(function);
                fresh = names.Fresh;
                activity = Activity.Of(function, function.Parameters.Where(p => p.IsDifferentiable).Select(p => p.Name));
                foreach (DataSymbol symbol in function.Data)
                {
                    if (symbol.Kind == DataKind.DoubleArray)
                    {
                        dataArrays.Add(symbol.Access);
                    }
                }

                var assignments = new Dictionary<string, int>(StringComparer.Ordinal);
                var accumulated = new HashSet<string>(StringComparer.Ordinal);
                IrWalker.VisitStatements(function.Body, statement =>
                {
                    switch (statement)
                    {
                        case Assign assign:
                            assignments[assign.Target] = assignments.TryGetValue(assign.Target, out int count) ? count + 1 : 1;
                            if (assign.Type == ScalarType.Int)
                            {
                                intDefinitions[assign.Target] = assign.Value;
                            }

                            break;
                        case AddTo add:
                            accumulated.Add(add.Target);
                            break;
                        case VecLocal local:
                            vectorLengths[local.Name] = local.Length;
                            break;
                        case SpanAlias { Source: { Row: not null, Offset: null } } alias:
                            vectorLengths[alias.Name] = new Dim(new VecRef(alias.Source.Name), DimensionKind.Columns);
                            break;
                    }
                });
                foreach (string name in intDefinitions.Keys.ToList())
                {
                    if (assignments[name] != 1 || accumulated.Contains(name) || IrWalker.Reads(new Stmt[] { new Return(intDefinitions[name]) }).Overlaps(accumulated))
                    {
                        intDefinitions.Remove(name);
                    }
                }
            }

            public bool Changed { get; private set; }

            /// <summary>Whether an expression depends on the function's differentiable inputs.</summary>
            public bool IsActive(Expr expr) => activity.IsActive(expr);

            public List<Stmt> RewriteBlock(IEnumerable<Stmt> statements)
            {
                var output = new List<Stmt>();
                foreach (Stmt statement in statements)
                {
                    GenerationCancellation.ThrowIfRequested();
                    switch (statement)
                    {
                        case If branch:
                            output.Add(branch with
                            {
                                Then = new Block(EquatableArray.From(RewriteBlock(branch.Then.Statements))),
                                Else = new Block(EquatableArray.From(RewriteBlock(branch.Else.Statements))),
                            });
                            break;
                        case For loop:
                            For rewritten = loop with { Body = new Block(EquatableArray.From(RewriteBlock(loop.Body.Statements))) };
                            List<Stmt>? vectorised = new LoopRewrite(this, rewritten).Run();
                            if (vectorised == null)
                            {
                                output.Add(rewritten);
                            }
                            else
                            {
                                Changed = true;
                                output.AddRange(vectorised);
                            }

                            break;
                        default:
                            output.Add(statement);
                            break;
                    }
                }

                return output;
            }

            public string Fresh(string stem) => fresh(stem);

            public bool IsDataArray(string name) => dataArrays.Contains(name);

            /// <summary>The length of a whole named vector, when known (computed vectors, spans, arrays).</summary>
            public Expr LengthOf(string name) =>
                vectorLengths.TryGetValue(name, out Expr? length) ? length : new Dim(new VecRef(name), DimensionKind.Length);

            /// <summary>Int definitions substituted and constants folded: for comparing sizes and offsets.</summary>
            public Expr Normalise(Expr expr) => Fold(Resolve(expr, 0));

            public bool SameInt(Expr a, Expr b) => Normalise(a).Equals(Normalise(b));

            /// <summary>Sizes that cannot be negative: constants, lengths, a computed vector's length.</summary>
            public bool IsNonNegative(Expr size)
            {
                Expr normal = Normalise(size);
                return normal is IntNum { Value: >= 0 } or Dim
                    || vectorLengths.Values.Any(length => SameInt(length, normal));
            }

            private Expr Resolve(Expr expr, int depth) => expr switch
            {
                Var v when depth < 16 && intDefinitions.TryGetValue(v.Name, out Expr? value) => Resolve(value, depth + 1),
                Binary b => b with { Left = Resolve(b.Left, depth), Right = Resolve(b.Right, depth) },
                Unary u => u with { Operand = Resolve(u.Operand, depth) },
                _ => expr,
            };
        }
    }
}
