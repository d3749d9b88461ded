using System.Collections.Generic;

namespace BilevelDsl.Generators.Ir
{
    /// <summary>How a primitive behaves under differentiation.</summary>
    internal enum Smoothness
    {
        /// <summary>Differentiable wherever it is defined (Sqrt and Cbrt take their kink convention at 0).</summary>
        Smooth,

        /// <summary>Has kinks (|t|, max, min): its partials encode a kink convention, the body is reported as
        /// nonsmooth, and smoothing replaces it by <see cref="Primitive.SmoothedBy"/>.</summary>
        Kink,

        /// <summary>Piecewise constant (Sign, Step): partial zero; only derivative rules produce it.</summary>
        PiecewiseConstant,

        /// <summary>A function of ints (int Math.Max/Min/Abs): never differentiated.</summary>
        Integer,
    }

    /// <summary>Curvature on the whole domain (jointly in all arguments), for the convexity analysis. Every table entry
    /// states it: Unknown means "not stated" and fails PrimitiveTableTests.</summary>
    internal enum Curvature
    {
        Unknown,
        Affine,
        Convex,
        Concave,

        /// <summary>Neither convex nor concave on its domain (sin, tanh), or depending on an argument (Pow's exponent).</summary>
        Neither,
    }

    /// <summary>Monotonicity in every argument, for the convexity analysis. Every table entry states it (Unknown: not stated).</summary>
    internal enum Monotonicity
    {
        Unknown,
        Increasing,
        Decreasing,

        /// <summary>Not monotone in some argument (|t|, sin), or of different directions in different arguments.</summary>
        Neither,
    }

    /// <summary>What the convexity analysis may conclude about the sign of a primitive's result from the signs of
    /// its arguments. Every rule is checked numerically by PrimitiveTableTests.</summary>
    internal enum SignRule
    {
        /// <summary>Nothing (Log, Sin, ...), unless every argument is constant.</summary>
        Unknown,

        /// <summary>Always positive (Exp, Softplus, Sigmoid).</summary>
        Positive,

        /// <summary>Nonnegative, and positive when the first argument is known to be nonzero (Sqrt, Abs, SmoothAbs).</summary>
        NonnegativePositiveOffZero,

        /// <summary>The sign of its only argument (Cbrt, Tanh, Atan).</summary>
        OfArgument,

        /// <summary>At least the larger of its first two arguments (Max, SmoothMax).</summary>
        AtLeastLarger,

        /// <summary>At least the smaller of its first two arguments (Min).</summary>
        AtLeastSmaller,
    }

    /// <summary>
    /// The local partial d f(args) / d args[k] as an IR expression, given the arguments and the result r as leaves
    /// (variables or constants). Built only from IR that has rules itself, so that it can be differentiated again.
    /// </summary>
    internal delegate Expr PartialRule(IReadOnlyList<Expr> args, Expr result, int k);

    /// <summary>The vector-valued partial of a vector reduction w.r.t. its vector argument k (mu: the smoothing parameter).</summary>
    internal delegate VecTerm VectorPartialRule(IReadOnlyList<VecRef> args, Expr result, int k, Expr? mu);

    /// <summary>An interval [Low, High] (or its mirror, when <see cref="EitherSign"/>) inside a primitive's smooth
    /// domain, where the rule-table tests sample it.</summary>
    internal readonly record struct SampleRange(double Low, double High, bool EitherSign = false);

    /// <summary>
    /// One scalar primitive, declared once: how the user writes it, how the generated code computes it, its
    /// partials, smoothness and shape. The front end, the AD passes, smoothing, the printer and the tests read
    /// this; see <see cref="Primitives"/> for the table and docs/contributing.md for adding one.
    /// </summary>
    /// <param name="Arity">Number of arguments (all of <see cref="ParameterType"/>).</param>
    /// <param name="Printed">The global::-qualified C# method the generated code calls (and the test evaluator runs).</param>
    internal sealed record Primitive(ScalarFunction Function, int Arity, string Printed)
    {
        /// <summary>The System.Math method the front end accepts for it (null: not written with Math).</summary>
        public string? MathName { get; init; }

        /// <summary>The BilevelDsl.Dsl method the front end accepts for it (null: not written with Dsl).</summary>
        public string? DslName { get; init; }

        public ScalarType ParameterType { get; init; } = ScalarType.Double;

        public ScalarType ResultType => ParameterType;

        /// <summary>Null only for <see cref="Smoothness.Integer"/> functions, which are never differentiated.</summary>
        public PartialRule? Partial { get; init; }

        /// <summary>The partials read the result (so reverse mode keeps it in a variable).</summary>
        public bool PartialUsesResult { get; init; }

        /// <summary>A partial can be infinite at a finite point (then a zero adjoint must give exactly zero).</summary>
        public bool PartialMayBeInfinite { get; init; }

        public Smoothness Smoothness { get; init; } = Smoothness.Smooth;

        /// <summary>For a <see cref="Smoothness.Kink"/>: the smoothed form, taking the same arguments and then mu.</summary>
        public ScalarFunction? SmoothedBy { get; init; }

        public Curvature Curvature { get; init; }

        public Monotonicity Monotonicity { get; init; }

        /// <summary>Strictly convex or concave (as <see cref="Curvature"/> says) in its one argument, so that a nonconstant
        /// affine argument gives a strictly convex (concave) term: the analysis then calls a strictly concave lower
        /// level nonconvex rather than unknown.</summary>
        public bool Strict { get; init; }

        /// <summary>The sign of the result, for the convexity analysis's scale and product rules.</summary>
        public SignRule ResultSign { get; init; }

        /// <summary>Where the tests sample each argument (inside the smooth domain, away from kinks).</summary>
        public SampleRange[] Samples { get; init; } = { new SampleRange(-2, 2) };

        /// <summary>Written by a user (Math or Dsl) rather than produced by derivative rules or smoothing.</summary>
        public bool IsUserFacing => MathName != null || DslName != null;

        /// <summary>Dsl.Map accepts it: a smooth user-facing function of one double.</summary>
        public bool IsMappable => IsUserFacing && Arity == 1 && ParameterType == ScalarType.Double && Smoothness == Smoothness.Smooth;
    }

    /// <summary>One vector reduction (a Dsl intrinsic from vectors to a double), declared once.</summary>
    /// <param name="Arity">Number of vector arguments (the smoothed forms take mu after them).</param>
    internal sealed record VectorPrimitive(VectorFunction Function, int Arity, string Printed, VectorPartialRule Partial)
    {
        public string? DslName { get; init; }

        public bool PartialUsesResult { get; init; }

        public bool TakesMu { get; init; }

        public Smoothness Smoothness { get; init; } = Smoothness.Smooth;

        public VectorFunction? SmoothedBy { get; init; }

        public Curvature Curvature { get; init; }

        public Monotonicity Monotonicity { get; init; }
    }
}
