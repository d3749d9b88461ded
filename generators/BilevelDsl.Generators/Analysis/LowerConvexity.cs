using System.Collections.Generic;
using System.Linq;
using System.Threading;
using BilevelDsl.Generators.Ir;
using BilevelDsl.Generators.Pipeline;

namespace BilevelDsl.Generators.Analysis
{
    /// <summary>
    /// The convexity of a model's lower level in y: the objective, every [LowerConstraint] g(x, y) &lt;= 0 (convex
    /// when g is convex in y) and the domain of y (a box is convex; a user projection's set is not analysed).
    /// Nonconvex only when the objective is provably nonconvex; Convex/StronglyConvex only when the objective is
    /// and every constraint is convex (then <see cref="Conditions"/> are the data checks it still rests on).
    /// </summary>
    internal sealed record LowerConvexity(
        ConvexityVerdict Verdict,
        string Reason,
        string Location,
        string Text,
        FunctionConvexity? Objective,
        EquatableArray<FunctionConvexity> Constraints,
        EquatableArray<PsdRequirement> Conditions)
    {
        public static LowerConvexity Of(ModelSpec spec, CancellationToken cancellationToken = default)
        {
            if (spec.Rejection != null || spec.Lower?.Body == null)
            {
                return new LowerConvexity(ConvexityVerdict.Unknown, "the lower level was not analysed (its body was rejected)", string.Empty, string.Empty, null,
                    EquatableArray<FunctionConvexity>.Empty, EquatableArray<PsdRequirement>.Empty);
            }

            FunctionConvexity objective = ConvexityAnalysis.Analyze(spec.Lower.Body, isConstraint: false, cancellationToken);
            var constraints = new List<FunctionConvexity>();
            foreach (LevelSpec constraint in spec.Constraints)
            {
                constraints.Add(constraint.Body == null
                    ? new FunctionConvexity(constraint.MethodName, ConvexityVerdict.Unknown, "not analysed (its body was rejected)", string.Empty, string.Empty, EquatableArray<PsdRequirement>.Empty)
                    : ConvexityAnalysis.Analyze(constraint.Body, isConstraint: true, cancellationToken));
            }

            return Combine(objective, constraints, spec.LowerDomain.Projection);
        }

        public static LowerConvexity Combine(FunctionConvexity objective, IReadOnlyList<FunctionConvexity> constraints, string? projection)
        {
            var all = EquatableArray.From(constraints);
            if (objective.Verdict is ConvexityVerdict.Nonconvex or ConvexityVerdict.Unknown)
            {
                return new LowerConvexity(objective.Verdict, objective.Method + ": " + objective.Reason, objective.Location, objective.Text, objective, all, EquatableArray<PsdRequirement>.Empty);
            }

            FunctionConvexity? open = constraints.FirstOrDefault(c => c.Verdict is ConvexityVerdict.Unknown or ConvexityVerdict.Nonconvex);
            if (open != null)
            {
                return new LowerConvexity(ConvexityVerdict.Unknown, "the feasible set is not proven convex: constraint " + open.Method + ": " + open.Reason,
                    open.Location, open.Text, objective, all, EquatableArray<PsdRequirement>.Empty);
            }

            if (projection != null)
            {
                return new LowerConvexity(ConvexityVerdict.Unknown, objective.Method + ": " + objective.Reason + ", but the set of the [LowerProjection] '" + projection + "' is not analysed",
                    string.Empty, string.Empty, objective, all, EquatableArray<PsdRequirement>.Empty);
            }

            var conditions = EquatableArray.From(objective.Conditions.Concat(constraints.SelectMany(c => c.Conditions)).Distinct());
            string reason = objective.Method + ": " + objective.Reason + (constraints.Count == 0 ? string.Empty
                : "; constraints " + string.Join(", ", constraints.Select(c => c.Method + ": " + c.Reason)));
            return new LowerConvexity(objective.Verdict, reason, string.Empty, string.Empty, objective, all, conditions);
        }
    }
}
