using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Ir;
using BilevelDsl.Generators.Pipeline;

namespace BilevelDsl.Generators.Ad
{
    internal static partial class LoopIdioms
    {
        /// <summary>One loop: its body evaluated symbolically, then each effect written as a vector statement.</summary>
        private sealed partial class LoopRewrite
        {
            private readonly Context context;
            private readonly For loop;

            /// <summary>Values of the scalar locals the body defines, in terms of the loop index and outer names.</summary>
            private readonly Dictionary<string, Expr> locals = new Dictionary<string, Expr>(System.StringComparer.Ordinal);

            /// <summary>Span aliases the body defines, by what they name.</summary>
            private readonly Dictionary<string, VecRef> aliases = new Dictionary<string, VecRef>(System.StringComparer.Ordinal);

            /// <summary>Span aliases the vector statements need (slices of data arrays and matrix rows).</summary>
            private readonly List<Stmt> prelude = new List<Stmt>();

            private readonly Dictionary<VecRef, string> preludeNames = new Dictionary<VecRef, string>();

            public LoopRewrite(Context context, For loop)
            {
                this.context = context;
                this.loop = loop;
            }

            private string Index => loop.Index;

            /// <summary>The statements replacing the loop, or null when it is not an idiom (it then stays as written).</summary>
            public List<Stmt>? Run()
            {
                var effects = new List<Stmt>();
                foreach (Stmt statement in loop.Body.Statements)
                {
                    GenerationCancellation.ThrowIfRequested();
                    switch (statement)
                    {
                        case Assign assign when assign.Declare || locals.ContainsKey(assign.Target):
                            locals[assign.Target] = Substitute(assign.Value);
                            break;
                        case Declare declare:
                            locals[declare.Name] = declare.Type == ScalarType.Double ? Simplify.Zero : IntZero;
                            break;
                        case AddTo add when locals.TryGetValue(add.Target, out Expr? value):
                            locals[add.Target] = value.Type == ScalarType.Double ? Simplify.Add(value, Substitute(add.Value)) : new Binary(BinaryOp.Add, value, Substitute(add.Value));
                            break;
                        case AddTo add:
                            effects.Add(add with { Value = Substitute(add.Value) });
                            break;
                        case AddToElement element:
                            effects.Add(new AddToElement(Substitute(element.Vector), Substitute(element.Index), Substitute(element.Value)));
                            break;
                        case AddVector { Source: VecScaled scaled } vector:
                            effects.Add(new AddVector(Substitute(vector.Target), Substitute(vector.Scale), new VecScaled(scaled.Factor, Substitute(scaled.Vector))));
                            break;
                        case SpanAlias alias when MentionsIndex(Substitute(alias.Source)):
                            aliases[alias.Name] = Substitute(alias.Source); // a row that moves with the index
                            break;
                        case SpanAlias alias:
                            prelude.Add(alias with { Source = Substitute(alias.Source) }); // the same span in every iteration
                            break;
                        case For inner when ColumnReduction(inner):
                            break;
                        default:
                            return null; // a branch, an inner loop, a vector statement it cannot carry: not an idiom
                    }
                }

                if (effects.Count == 0 || !IndependentIterations(effects))
                {
                    return null;
                }

                var output = new List<Stmt>();
                foreach (Stmt effect in effects)
                {
                    List<Stmt>? vectorised = effect switch
                    {
                        AddTo add => One(Reduction(add)),
                        AddToElement element => ElementUpdate(element),
                        AddVector vector => One(TransposedProduct(vector)),
                        _ => null,
                    };
                    if (vectorised == null)
                    {
                        return null;
                    }

                    output.AddRange(vectorised);
                }

                prelude.AddRange(output);
                return prelude;
            }

            /// <summary>No effect reads what any effect writes (no loop-carried dependence) or a name of the body.</summary>
            private bool IndependentIterations(List<Stmt> effects)
            {
                var targets = new HashSet<string>(System.StringComparer.Ordinal);
                foreach (Stmt effect in effects)
                {
                    targets.Add(effect is AddTo add ? add.Target : IrWalker.VectorWritten(effect)!);
                }

                targets.UnionWith(locals.Keys);
                targets.UnionWith(aliases.Keys);
                return effects.All(effect => !IrWalker.Reads(new[] { effect }).Overlaps(targets) && !IrWalker.VectorsRead(new[] { effect }).Overlaps(targets)
                    && !(effect is AddToElement element && element.Vector.Row != null));
            }

            private bool Depends(Expr expr) => Mentions(expr, Index);

            /// <summary>s += sum of c * a[j] * b[j] (Dot, SquaredNorm) and c * a[j] (Sum).</summary>
            private Stmt? Reduction(AddTo add)
            {
                List<Term>? terms = Terms(add.Value, Depends);
                if (terms == null)
                {
                    return null;
                }

                Expr total = Simplify.Zero;
                foreach (Term term in terms.Where(t => t.Factors.Count > 0 || !Simplify.IsConstant(t.Scale, 0)))
                {
                    Expr? reduced = null;
                    if (term.Factors.Count == 1 && Operand(term.Factors[0]) is VecRef single)
                    {
                        reduced = new VecCall(VectorFunction.Sum, EquatableArray.Of(single));
                    }
                    else if (term.Factors.Count == 2 && Operand(term.Factors[0]) is VecRef left && Operand(term.Factors[1]) is VecRef right)
                    {
                        reduced = left.Equals(right)
                            ? new VecCall(VectorFunction.SquaredNorm, EquatableArray.Of(left))
                            : new VecCall(VectorFunction.Dot, EquatableArray.Of(left, right));
                    }

                    if (reduced == null)
                    {
                        return null; // an invariant term (a trip count) or a product of three: left as written
                    }

                    total = Simplify.Add(total, Simplify.Mul(term.Scale, reduced));
                }

                return new AddTo(add.Target, total);
            }

            private static List<Stmt>? One(Stmt? statement) => statement == null ? null : new List<Stmt> { statement };

            /// <summary>z[j + c] += sum of a * u[j] (Axpy) and a * Dot(row j of M, v) (MatVec). A constant term stays
            /// a loop: adding a constant to every entry has no vector statement with a reverse rule.</summary>
            private List<Stmt>? ElementUpdate(AddToElement element)
            {
                Expr index = element.Vector.Offset == null ? element.Index : new Binary(BinaryOp.Add, element.Vector.Offset, element.Index);
                (Expr Coefficient, Expr Base)? position = Affine(index, Index);
                List<Term>? terms = Terms(element.Value, Depends);
                if (position == null || terms == null || !IsUnit(position.Value.Coefficient))
                {
                    return null;
                }

                VecRef target = Slice(element.Vector.Name, position.Value.Base);
                var statements = new List<Stmt>();
                foreach (Term term in terms.Where(t => t.Factors.Count > 0 || !Simplify.IsConstant(t.Scale, 0)))
                {
                    Stmt? update = ElementTerm(target, term);
                    if (update == null)
                    {
                        return null;
                    }

                    statements.Add(update);
                }

                return statements;
            }

            private Stmt? ElementTerm(VecRef target, Term term)
            {
                bool passiveScale = !context.IsActive(term.Scale);
                switch (term.Factors.Count)
                {
                    case 1 when term.Factors[0] is VecCall { Function: VectorFunction.Dot } dot:
                        for (int side = 0; side < 2; side++)
                        {
                            VecRef other = dot.Args[1 - side];
                            if (passiveScale && RowsOf(dot.Args[side]) is MatRef matrix && !MentionsIndex(other))
                            {
                                return new MatVecUpdate(target, term.Scale, matrix, other, Transposed: false);
                            }
                        }

                        return null;
                    case 1 when term.Factors[0] is ColumnDot column:
                        return passiveScale && AllColumns(column) ? new MatVecUpdate(target, term.Scale, column.Matrix, column.Vector, Transposed: true) : null;
                    case 1 when Operand(term.Factors[0]) is VecRef source:
                        return new AddVector(target, term.Scale, new VecScaled(1, source));
                    default:
                        return null;
                }
            }

            /// <summary>r += (a * u[k]) * (row k of M) over k: r += a Mᵀ u.</summary>
            private Stmt? TransposedProduct(AddVector update)
            {
                var source = (VecScaled)update.Source;
                List<Term>? terms = Terms(update.Scale, Depends);
                if (MentionsIndex(update.Target) || terms == null || terms.Count != 1 || terms[0].Factors.Count != 1
                    || !(Operand(terms[0].Factors[0]) is VecRef weights) || !(RowsOf(source.Vector) is MatRef matrix)
                    || context.IsActive(terms[0].Scale))
                {
                    return null;
                }

                return new MatVecUpdate(update.Target, Simplify.Mul(new Num(source.Factor), terms[0].Scale), matrix, weights, Transposed: true);
            }

            private bool IsUnit(Expr coefficient) => IsInt(context.Normalise(coefficient), 1);

            private bool MentionsIndex(VecRef vector) =>
                (vector.Row != null && Depends(vector.Row)) || (vector.Offset != null && Depends(vector.Offset)) || (vector.Length != null && Depends(vector.Length));
        }
    }
}
