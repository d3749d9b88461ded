using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using BilevelDsl.Generators.Ir;

namespace BilevelDsl.Generators.Analysis
{
    /// <summary>The analysis's verdict on a function in y (the runtime's ConvexityVerdict has the same members).</summary>
    internal enum ConvexityVerdict
    {
        Unknown,
        Nonconvex,
        Convex,
        StronglyConvex,
    }

    /// <summary>The verdict on one function (a lower objective or a [LowerConstraint]) in y, why, and where the term
    /// that decides it is; with <see cref="Conditions"/> the verdict holds if every listed data matrix is PSD.</summary>
    internal sealed record FunctionConvexity(
        string Method, ConvexityVerdict Verdict, string Reason, string Location, string Text, EquatableArray<PsdRequirement> Conditions);

    /// <summary>
    /// The compile-time convexity analysis of a function in y, in the style of disciplined convex programming
    /// (Grant, Boyd &amp; Ye, "Disciplined convex programming", in Global Optimization: From Theory to Implementation,
    /// Springer 2006): every expression is constant, affine, convex, concave or unknown in y, with its sign;
    /// sums, scaling by constants of known sign, and the composition rules with each primitive's curvature and
    /// monotonicity from the table; squares and sums of squares of affine terms are convex; a form y'Ay with A
    /// data is convex if A's symmetric part is PSD (a condition the runtime checks on the data). x and data
    /// are parameters. One pass over the body (linear in its size); anything it does not understand is
    /// Unknown, never Convex; it never throws except for cancellation.
    /// </summary>
    internal sealed partial class ConvexityAnalysis
    {
        private const int MaxDepth = 400;

        private readonly string xName;
        private readonly string yName;
        private readonly bool yIsSpan;
        private readonly Dictionary<string, DataSymbol> data = new Dictionary<string, DataSymbol>(StringComparer.Ordinal);
        private readonly Dictionary<string, List<TermSite>> sites = new Dictionary<string, List<TermSite>>(StringComparer.Ordinal);
        private readonly HashSet<string> loopIndices = new HashSet<string>(StringComparer.Ordinal);
        private readonly List<For> loops = new List<For>();
        private readonly HashSet<string> lengthsOfY = new HashSet<string>(StringComparer.Ordinal);
        private readonly CancellationToken cancellationToken;
        private Dictionary<string, Shape> vars = new Dictionary<string, Shape>(StringComparer.Ordinal);
        private Dictionary<string, VecShape> vectors = new Dictionary<string, VecShape>(StringComparer.Ordinal);
        private Shape? returned;
        private Culprit? guard;
        private Culprit? unsupported;
        private TermSite? site;
        private int depth;

        private ConvexityAnalysis(Function function, CancellationToken cancellationToken)
        {
            this.cancellationToken = cancellationToken;
            xName = function.Parameters.Count > 0 ? function.Parameters[0].Name : string.Empty;
            yName = function.Parameters.Count > 1 ? function.Parameters[1].Name : string.Empty;
            yIsSpan = function.Parameters.Count > 1 && function.Parameters[1].Kind == ParameterKind.Span;
            foreach (DataSymbol symbol in function.Data)
            {
                data[symbol.Name] = symbol;
            }

            foreach (TermSite termSite in function.Sites)
            {
                if (!sites.TryGetValue(termSite.Target, out List<TermSite>? list))
                {
                    sites[termSite.Target] = list = new List<TermSite>();
                }

                list.Add(termSite);
            }
        }

        /// <summary>The verdict on <paramref name="function"/> (parameters x, y) in y. A constraint g &lt;= 0 is never
        /// called Nonconvex (a concave g can still give a convex set).</summary>
        public static FunctionConvexity Analyze(Function function, bool isConstraint, CancellationToken cancellationToken = default)
        {
            try
            {
                var analysis = new ConvexityAnalysis(function, cancellationToken);
                analysis.Walk(function.Body);
                return analysis.Verdict(function.Name, isConstraint);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception exception)
            {
                return new FunctionConvexity(function.Name, ConvexityVerdict.Unknown, "the analysis failed (" + exception.GetType().Name + "); convexity is not proven", string.Empty, string.Empty, EquatableArray<PsdRequirement>.Empty);
            }
        }

        private FunctionConvexity Verdict(string method, bool isConstraint)
        {
            Culprit? blocker = unsupported ?? (returned == null ? Note("no return value") : null);
            Shape shape = blocker != null ? Shape.Unknown(blocker) : returned!;
            var conditions = EquatableArray.From(shape.Conditions);
            string condition = conditions.Count == 0 ? string.Empty
                : " if " + string.Join(" and ", conditions.Select(c => "the symmetric part of '" + c.Matrix + "' is positive semidefinite")) + " (checked on the data at run time)";
            if (shape.IsConvex)
            {
                bool strong = shape.Strong;
                string what = shape.IsConstant ? "constant in y" : shape.IsAffine ? "affine in y" : strong ? "strongly convex in y" : "convex in y";
                return new FunctionConvexity(method, strong ? ConvexityVerdict.StronglyConvex : ConvexityVerdict.Convex, what + condition, string.Empty, string.Empty, conditions);
            }

            Culprit? culprit = shape.Culprit;
            if (!isConstraint && shape.Curv == Curv.Concave && shape.StrictConcave)
            {
                return new FunctionConvexity(method, ConvexityVerdict.Nonconvex, "strictly concave in y (its other terms are affine), so not convex: " + (culprit?.What ?? "a concave term"), culprit?.Location ?? string.Empty, culprit?.Text ?? string.Empty, EquatableArray<PsdRequirement>.Empty);
            }

            string reason = shape.Curv == Curv.Concave ? "concave in y (not provably strictly), so convexity is not proven: " : "convexity in y is not proven: ";
            return new FunctionConvexity(method, ConvexityVerdict.Unknown, reason + (culprit?.What ?? "a term the rules do not cover"), culprit?.Location ?? string.Empty, culprit?.Text ?? string.Empty, EquatableArray<PsdRequirement>.Empty);
        }

        private void Walk(Block block)
        {
            foreach (Stmt statement in block.Statements)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Statement(statement);
            }
        }

        private void Statement(Stmt statement)
        {
            switch (statement)
            {
                case Assign assign:
                    Locate(assign.Target, assign.Value);
                    Shape value = Guarded(Eval(assign.Value));
                    vars[assign.Target] = value;
                    if (assign.Type == ScalarType.Int && assign.Value is Dim { Kind: DimensionKind.Length } dim && dim.Vector.Name == yName && dim.Vector.Offset == null && dim.Vector.Length == null)
                    {
                        lengthsOfY.Add(assign.Target);
                    }

                    break;
                case Declare declare:
                    vars[declare.Name] = Shape.Zero;
                    break;
                case AddTo add:
                    Locate(add.Target, add.Value);
                    Shape term = Guarded(Promote(Eval(add.Value)));
                    Shape sum = Add(vars.TryGetValue(add.Target, out Shape? before) ? before : Lookup(add.Target), term);
                    vars[add.Target] = (sum.Literal != null ? Shape.WithSign(sum.Sign) : sum).Detached();
                    break;
                case Return ret:
                    Locate(TermSite.ReturnTarget, ret.Value);
                    Shape result = Guarded(Eval(ret.Value));
                    returned = returned == null ? result : Join(returned, result);
                    break;
                case If branch:
                    Branch(branch);
                    break;
                case For loop:
                    Loop(loop);
                    break;
                case VecLocal local:
                    vectors[local.Name] = VecShape.Zero;
                    break;
                case SpanAlias alias:
                    vectors[alias.Name] = Vector(alias.Source);
                    break;
                case RequireLength _:
                    break;
                case MatVecUpdate update:
                    MatVec(update);
                    break;
                case AddVector add:
                    AddVector(add);
                    break;
                case AddToElement element:
                    Shape index = Eval(element.Index);
                    Shape written = index.IsConstant ? Guarded(Eval(element.Value)) : Shape.Unknown(Note("a write at an index that depends on y"));
                    Update(new VecRef(element.Vector.Name), new VecShape(written.Detached()));
                    break;
                case ClearVector clear:
                    vectors[clear.Vector.Name] = VecShape.Zero;
                    break;
                default:
                    unsupported ??= Note("a statement the analysis does not know (" + statement.GetType().Name + ")");
                    break;
            }
        }

        /// <summary>Inside a branch on a condition that depends on y every value is piecewise in y (a constant too: which
        /// constant depends on y): unknown.</summary>
        private Shape Guarded(Shape shape) => guard != null ? Shape.Unknown(Note(guard.What)) : shape;

        private void Branch(If branch)
        {
            Shape condition = Eval(branch.Condition);
            Culprit? outer = guard;
            if (!condition.IsConstant)
            {
                guard ??= Note("a branch on a condition that depends on y (a piecewise function)");
            }

            Dictionary<string, Shape> varsBefore = vars;
            Dictionary<string, VecShape> vectorsBefore = vectors;
            vars = new Dictionary<string, Shape>(varsBefore, StringComparer.Ordinal);
            vectors = new Dictionary<string, VecShape>(vectorsBefore, StringComparer.Ordinal);
            Walk(branch.Then);
            Dictionary<string, Shape> varsThen = vars;
            Dictionary<string, VecShape> vectorsThen = vectors;
            vars = new Dictionary<string, Shape>(varsBefore, StringComparer.Ordinal);
            vectors = new Dictionary<string, VecShape>(vectorsBefore, StringComparer.Ordinal);
            Walk(branch.Else);
            foreach (KeyValuePair<string, Shape> entry in varsThen)
            {
                if (!vars.TryGetValue(entry.Key, out Shape? other))
                {
                    vars[entry.Key] = entry.Value;
                }
                else if (!ReferenceEquals(other, entry.Value))
                {
                    vars[entry.Key] = Guarded(Join(entry.Value, other));
                }
            }

            foreach (KeyValuePair<string, VecShape> entry in vectorsThen)
            {
                if (!vectors.TryGetValue(entry.Key, out VecShape? other))
                {
                    vectors[entry.Key] = entry.Value;
                }
                else if (!ReferenceEquals(other, entry.Value))
                {
                    vectors[entry.Key] = new VecShape(Guarded(Join(entry.Value.Element, other.Element)));
                }
            }

            guard = outer;
        }

        private void Loop(For loop)
        {
            if (!Eval(loop.From).IsConstant || !Eval(loop.To).IsConstant)
            {
                unsupported ??= Note("a loop whose bounds depend on y");
            }

            loops.Add(loop);
            loopIndices.Add(loop.Index);
            Walk(loop.Body);
            loops.RemoveAt(loops.Count - 1);
        }

        /// <summary>A term accumulated by the enclosing loops: strongly convex in y[i] summed over every i is strongly
        /// convex; y[i] A[i,j] y[j] summed over all i and j (the same range) is the form y'Ay, convex if A is PSD.</summary>
        private Shape Promote(Shape term)
        {
            if (term.StrongIndex is string index && loops.Any(l => l.Index == index && CoversY(l)))
            {
                term = term.Strengthen(true, true, false, null);
            }

            if (term.Bilinear is { } form)
            {
                For? rows = loops.FirstOrDefault(l => l.Index == form.Row), columns = loops.FirstOrDefault(l => l.Index == form.Column);
                if (rows != null && columns != null && IsZero(rows.From) && IsZero(columns.From) && SameRange(rows.To, columns.To, form.Matrix))
                {
                    Shape convex = new Shape(Curv.Convex, form.Matrix == null ? Sign.Nonnegative : Sign.Unknown);
                    return form.Matrix == null ? convex : convex.WithConditions(new[] { Requirement(form.Matrix) });
                }
            }

            return term;
        }

        private bool CoversY(For loop) =>
            IsZero(loop.From) && (loop.To is Dim { Kind: DimensionKind.Length } dim && dim.Vector.Name == yName && dim.Vector.Offset == null && dim.Vector.Length == null
                || loop.To is Var v && lengthsOfY.Contains(v.Name));

        private static bool IsZero(Expr e) => e is IntNum { Value: 0 };

        private bool SameRange(Expr a, Expr b, string? matrix)
        {
            if (a.Equals(b))
            {
                return true;
            }

            bool IsSide(Expr e) => e is Dim d && matrix != null && d.Vector.Name == matrix && d.Kind != DimensionKind.Length;
            return IsSide(a) && IsSide(b); // A.Rows and A.Columns: the run-time check requires A square
        }

        private void Locate(string target, Expr value)
        {
            // A statement the front end made up (a join's flag, a phi) keeps the site of the user's statement before it.
            if (sites.TryGetValue(target, out List<TermSite>? list))
            {
                site = list.FirstOrDefault(s => ReferenceEquals(s.Value, value)) ?? list.FirstOrDefault(s => s.Value.Equals(value)) ?? list[0];
            }
        }

        private Culprit Note(string what) => new Culprit(what, site?.Location ?? string.Empty, site?.Text ?? string.Empty);
    }
}
