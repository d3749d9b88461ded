using System;
using System.Collections.Generic;
using System.Linq;
using static BilevelDsl.Generators.Ir.Simplify;

namespace BilevelDsl.Generators.Ir
{
    /// <summary>
    /// The primitive table: every Math function and Dsl intrinsic the generator differentiates, each declared
    /// once (see <see cref="Primitive"/>). Adding one is an enum member, an entry here and its tests
    /// (docs/contributing.md walks through Math.Log10).
    /// Kink conventions (docs/ad-conventions.md): |t|' = Sign(t) with Sign(0) = 0; at a Max/Min tie each
    /// argument gets 1/2 (Step(0) = 1/2); sqrt'(0) = cbrt'(0) = 0; Pow's base partial is 0 at a zero base when the
    /// exponent is below one, its exponent partial is 0 for a non-positive base.
    /// </summary>
    internal static class Primitives
    {
        public const string MathType = "System.Math";
        public const string DslType = "BilevelDsl.Dsl";
        private const string Math = "global::System.Math.";
        private const string Dsl = "global::BilevelDsl.Dsl.";
        private const string Support = "global::BilevelDsl.Kernels.KernelSupport.";

        private static readonly SampleRange Positive = new SampleRange(0.2, 3.0);
        private static readonly SampleRange AwayFromZero = new SampleRange(0.15, 2.0, EitherSign: true);
        private static readonly SampleRange Mu = new SampleRange(0.1, 1.0);

        private static readonly Primitive[] Table =
        {
            new Primitive(ScalarFunction.Sin, 1, Math + "Sin") { MathName = "Sin", Partial = (a, r, k) => Call(ScalarFunction.Cos, a[0]), Curvature = Curvature.Neither, Monotonicity = Monotonicity.Neither },
            new Primitive(ScalarFunction.Cos, 1, Math + "Cos") { MathName = "Cos", Partial = (a, r, k) => Neg(Call(ScalarFunction.Sin, a[0])), Curvature = Curvature.Neither, Monotonicity = Monotonicity.Neither },
            new Primitive(ScalarFunction.Tan, 1, Math + "Tan")
            {
                MathName = "Tan", Partial = (a, r, k) => Add(One, Mul(r, r)), PartialUsesResult = true, PartialMayBeInfinite = true,
                Samples = new[] { new SampleRange(-1.2, 1.2) }, Curvature = Curvature.Neither, Monotonicity = Monotonicity.Neither, // increasing on each branch only
            },
            new Primitive(ScalarFunction.Exp, 1, Math + "Exp")
            {
                MathName = "Exp", Partial = (a, r, k) => r, PartialUsesResult = true, Curvature = Curvature.Convex, Monotonicity = Monotonicity.Increasing, Strict = true, ResultSign = SignRule.Positive,
            },
            new Primitive(ScalarFunction.Log, 1, Math + "Log")
            {
                MathName = "Log", Partial = (a, r, k) => Div(One, a[0]), PartialMayBeInfinite = true,
                Curvature = Curvature.Concave, Monotonicity = Monotonicity.Increasing, Strict = true, Samples = new[] { Positive },
            },
            new Primitive(ScalarFunction.Log10, 1, Math + "Log10")
            {
                // 1 / (a ln 10) with ln 10 = System.Math.Log(10) to the last bit; infinite at a = 0, as Log's 1/a is.
                MathName = "Log10", Partial = (a, r, k) => Div(One, Mul(a[0], new Num(2.302585092994046))), PartialMayBeInfinite = true,
                Curvature = Curvature.Concave, Monotonicity = Monotonicity.Increasing, Strict = true, Samples = new[] { Positive },
            },
            new Primitive(ScalarFunction.Sqrt, 1, Math + "Sqrt")
            {
                MathName = "Sqrt", Partial = (a, r, k) => Select(Greater(r, Zero), Div(new Num(0.5), r), Zero), PartialUsesResult = true,
                Curvature = Curvature.Concave, Monotonicity = Monotonicity.Increasing, Strict = true, ResultSign = SignRule.NonnegativePositiveOffZero, Samples = new[] { Positive },
            },
            new Primitive(ScalarFunction.Cbrt, 1, Math + "Cbrt")
            {
                // 1 / (3 r^2) with r = cbrt(a), finite for every a != 0; 0 at a = 0 (the Sqrt convention).
                MathName = "Cbrt", PartialUsesResult = true, Curvature = Curvature.Neither, Monotonicity = Monotonicity.Increasing, ResultSign = SignRule.OfArgument, Samples = new[] { AwayFromZero },
                Partial = (a, r, k) => Select(new Binary(BinaryOp.NotEqual, r, Zero), Div(One, Mul(new Num(3), Mul(r, r))), Zero),
            },
            new Primitive(ScalarFunction.Pow, 2, Math + "Pow")
            {
                MathName = "Pow", PartialUsesResult = true, Curvature = Curvature.Neither, Monotonicity = Monotonicity.Neither, // by the exponent: the analysis's own rule
                Samples = new[] { new SampleRange(0.3, 2.5), new SampleRange(-1.5, 2.5) },
                Partial = (a, r, k) => k == 0 ? PowBasePartial(a[0], a[1]) : Select(Greater(a[0], Zero), Mul(r, Call(ScalarFunction.Log, a[0])), Zero),
            },
            new Primitive(ScalarFunction.Tanh, 1, Math + "Tanh")
            {
                MathName = "Tanh", Partial = (a, r, k) => Sub(One, Mul(r, r)), PartialUsesResult = true, Curvature = Curvature.Neither, Monotonicity = Monotonicity.Increasing, ResultSign = SignRule.OfArgument,
            },
            new Primitive(ScalarFunction.Atan, 1, Math + "Atan") { MathName = "Atan", Partial = AtanPartial, Curvature = Curvature.Neither, Monotonicity = Monotonicity.Increasing, ResultSign = SignRule.OfArgument },
            new Primitive(ScalarFunction.Abs, 1, Math + "Abs")
            {
                MathName = "Abs", DslName = "Abs", Partial = (a, r, k) => Call(ScalarFunction.Sign, a[0]),
                Smoothness = Smoothness.Kink, SmoothedBy = ScalarFunction.SmoothAbs, Curvature = Curvature.Convex, Monotonicity = Monotonicity.Neither, ResultSign = SignRule.NonnegativePositiveOffZero, Samples = new[] { AwayFromZero },
            },
            new Primitive(ScalarFunction.Max, 2, Math + "Max")
            {
                MathName = "Max", DslName = "Max", Smoothness = Smoothness.Kink, SmoothedBy = ScalarFunction.SmoothMax, ResultSign = SignRule.AtLeastLarger,
                Curvature = Curvature.Convex, Monotonicity = Monotonicity.Increasing, Samples = new[] { new SampleRange(-2, 2), new SampleRange(-2, 2) },
                Partial = (a, r, k) => k == 0 ? Call(ScalarFunction.Step, Sub(a[0], a[1])) : Call(ScalarFunction.Step, Sub(a[1], a[0])),
            },
            new Primitive(ScalarFunction.Min, 2, Math + "Min")
            {
                MathName = "Min", DslName = "Min", Smoothness = Smoothness.Kink, SmoothedBy = ScalarFunction.SmoothMin, ResultSign = SignRule.AtLeastSmaller,
                Curvature = Curvature.Concave, Monotonicity = Monotonicity.Increasing, Samples = new[] { new SampleRange(-2, 2), new SampleRange(-2, 2) },
                Partial = (a, r, k) => k == 0 ? Call(ScalarFunction.Step, Sub(a[1], a[0])) : Call(ScalarFunction.Step, Sub(a[0], a[1])),
            },
            new Primitive(ScalarFunction.Sigmoid, 1, Dsl + "Sigmoid")
            {
                DslName = "Sigmoid", Partial = (a, r, k) => Mul(r, Sub(One, r)), PartialUsesResult = true, Curvature = Curvature.Neither, Monotonicity = Monotonicity.Increasing, ResultSign = SignRule.Positive,
            },
            new Primitive(ScalarFunction.Softplus, 1, Dsl + "Softplus")
            {
                DslName = "Softplus", Partial = (a, r, k) => Call(ScalarFunction.Sigmoid, a[0]), Curvature = Curvature.Convex, Monotonicity = Monotonicity.Increasing, Strict = true, ResultSign = SignRule.Positive,
            },
            new Primitive(ScalarFunction.Sign, 1, Support + "Sign") { Partial = (a, r, k) => Zero, Smoothness = Smoothness.PiecewiseConstant, Samples = new[] { AwayFromZero }, Curvature = Curvature.Neither, Monotonicity = Monotonicity.Increasing },
            new Primitive(ScalarFunction.Step, 1, Support + "Step") { Partial = (a, r, k) => Zero, Smoothness = Smoothness.PiecewiseConstant, Samples = new[] { AwayFromZero }, Curvature = Curvature.Neither, Monotonicity = Monotonicity.Increasing },
            new Primitive(ScalarFunction.SmoothAbs, 2, Support + "SmoothAbs")
            {
                // d sqrt(t^2 + mu^2) / dt = SmoothSign(t, mu); at t = mu = 0 it is 0, matching Sign(0).
                Partial = (a, r, k) => k == 0 ? Call(ScalarFunction.SmoothSign, a[0], a[1]) : Call(ScalarFunction.SmoothSign, a[1], a[0]),
                PartialUsesResult = true, Curvature = Curvature.Convex, Monotonicity = Monotonicity.Neither, ResultSign = SignRule.NonnegativePositiveOffZero, Samples = new[] { new SampleRange(-2, 2), Mu },
            },
            new Primitive(ScalarFunction.SmoothSign, 2, Support + "SmoothSign")
            {
                Partial = SmoothSignPartial, PartialUsesResult = true, Curvature = Curvature.Neither, Monotonicity = Monotonicity.Neither, Samples = new[] { new SampleRange(-2, 2), Mu },
            },
            new Primitive(ScalarFunction.SmoothMax, 3, Support + "SmoothMax")
            {
                Partial = (a, r, k) => SmoothMaxMinPartial(a, k, max: true), Curvature = Curvature.Convex, Monotonicity = Monotonicity.Increasing, ResultSign = SignRule.AtLeastLarger,
                Samples = new[] { new SampleRange(-2, 2), new SampleRange(-2, 2), Mu },
            },
            new Primitive(ScalarFunction.SmoothMin, 3, Support + "SmoothMin")
            {
                Partial = (a, r, k) => SmoothMaxMinPartial(a, k, max: false), Curvature = Curvature.Concave, Monotonicity = Monotonicity.Neither, // decreasing in mu
                Samples = new[] { new SampleRange(-2, 2), new SampleRange(-2, 2), Mu },
            },
            new Primitive(ScalarFunction.IntMax, 2, Math + "Max") { MathName = "Max", ParameterType = ScalarType.Int, Smoothness = Smoothness.Integer, Curvature = Curvature.Convex, Monotonicity = Monotonicity.Increasing },
            new Primitive(ScalarFunction.IntMin, 2, Math + "Min") { MathName = "Min", ParameterType = ScalarType.Int, Smoothness = Smoothness.Integer, Curvature = Curvature.Concave, Monotonicity = Monotonicity.Increasing },
            new Primitive(ScalarFunction.IntAbs, 1, Math + "Abs") { MathName = "Abs", ParameterType = ScalarType.Int, Smoothness = Smoothness.Integer, Curvature = Curvature.Convex, Monotonicity = Monotonicity.Neither },
        };

        private static readonly VectorPrimitive[] VectorTable =
        {
            new VectorPrimitive(VectorFunction.Dot, 2, Dsl + "Dot", (v, r, k, mu) => new VecScaled(1, v[1 - k])) { DslName = "Dot", Curvature = Curvature.Neither, Monotonicity = Monotonicity.Neither }, // bilinear: indefinite jointly
            new VectorPrimitive(VectorFunction.SquaredNorm, 1, Dsl + "SquaredNorm", (v, r, k, mu) => new VecScaled(2, v[0])) { DslName = "SquaredNorm", Curvature = Curvature.Convex, Monotonicity = Monotonicity.Neither },
            new VectorPrimitive(VectorFunction.Sum, 1, Dsl + "Sum", (v, r, k, mu) => new VecOnes()) { DslName = "Sum", Curvature = Curvature.Affine, Monotonicity = Monotonicity.Increasing },
            new VectorPrimitive(VectorFunction.LogSumExp, 1, Dsl + "LogSumExp", (v, r, k, mu) => new VecExpShifted(v[0], r))
            {
                DslName = "LogSumExp", PartialUsesResult = true, Curvature = Curvature.Convex, Monotonicity = Monotonicity.Increasing,
            },
            new VectorPrimitive(VectorFunction.Norm1, 1, Dsl + "Norm1", (v, r, k, mu) => new VecSign(v[0]))
            {
                DslName = "Norm1", Smoothness = Smoothness.Kink, SmoothedBy = VectorFunction.SmoothNorm1, Curvature = Curvature.Convex, Monotonicity = Monotonicity.Neither,
            },
            new VectorPrimitive(VectorFunction.SmoothNorm1, 1, Support + "SmoothNorm1", (v, r, k, mu) => new VecSmoothSign(v[0], mu ?? throw new InvalidOperationException("SmoothNorm1 without mu")))
            {
                TakesMu = true, Curvature = Curvature.Convex, Monotonicity = Monotonicity.Neither,
            },
        };

        private static readonly Dictionary<ScalarFunction, Primitive> ByFunction = Table.ToDictionary(p => p.Function);

        private static readonly Dictionary<VectorFunction, VectorPrimitive> ByVectorFunction = VectorTable.ToDictionary(p => p.Function);

        public static IReadOnlyList<Primitive> All => Table;

        public static IReadOnlyList<VectorPrimitive> AllVector => VectorTable;

        public static Primitive Of(ScalarFunction function) =>
            ByFunction.TryGetValue(function, out Primitive? primitive) ? primitive : throw new InvalidOperationException("No primitive-table entry for " + function);

        public static VectorPrimitive Of(VectorFunction function) =>
            ByVectorFunction.TryGetValue(function, out VectorPrimitive? primitive) ? primitive : throw new InvalidOperationException("No primitive-table entry for " + function);

        /// <summary>The Math (<paramref name="dsl"/> false) or Dsl scalar primitive called <paramref name="name"/> with
        /// <paramref name="arity"/> arguments of <paramref name="parameterType"/>; null when there is none.</summary>
        public static Primitive? Find(bool dsl, string name, int arity, ScalarType parameterType) =>
            Table.FirstOrDefault(p => (dsl ? p.DslName : p.MathName) == name && p.Arity == arity && p.ParameterType == parameterType);

        /// <summary>Whether any Math (or Dsl) scalar primitive has this name (whatever its overloads).</summary>
        public static bool HasName(bool dsl, string name) => Table.Any(p => (dsl ? p.DslName : p.MathName) == name);

        public static VectorPrimitive? FindVector(string dslName) => VectorTable.FirstOrDefault(p => p.DslName == dslName);

        private static Expr AtanPartial(IReadOnlyList<Expr> args, Expr r, int k)
        {
            // 1 / (1 + a^2), in terms of 1/a when |a| > 1 so that neither it nor its own derivative overflows
            // (a^2 is inf for |a| > 1e154).
            Expr a = args[0];
            Expr inverse = Div(One, a);
            Expr small = Div(One, Add(One, Mul(a, a)));
            Expr large = Div(Mul(inverse, inverse), Add(One, Mul(inverse, inverse)));
            return new Select(new Binary(BinaryOp.LessOrEqual, Call(ScalarFunction.Abs, a), One), small, large);
        }

        private static Expr SmoothSignPartial(IReadOnlyList<Expr> a, Expr r, int k)
        {
            // d/dt t/n = mu^2/n^3 = SmoothSign(mu, t)^2 / n, d/dmu = -SmoothSign(t, mu) SmoothSign(mu, t) / n,
            // with n = sqrt(t^2 + mu^2): no overflow (n huge gives 0), 0 where n = 0.
            Expr norm = Call(ScalarFunction.SmoothAbs, a[0], a[1]);
            Expr other = Call(ScalarFunction.SmoothSign, a[1], a[0]);
            Expr numerator = k == 0 ? Mul(other, other) : Neg(Mul(r, other));
            return Select(Greater(norm, Zero), Div(numerator, norm), Zero);
        }

        private static Expr SmoothMaxMinPartial(IReadOnlyList<Expr> a, int k, bool max)
        {
            // 1/2 (1 +- SmoothSign(a - b, mu)) for a and b (a tie with mu = 0 gives 1/2 each, the Max/Min
            // convention); +-1/2 SmoothSign(mu, a - b) for mu. SmoothSign stays finite when a - b overflows.
            Expr difference = Sub(a[0], a[1]);
            if (k == 2)
            {
                Expr muPart = Mul(new Num(0.5), Call(ScalarFunction.SmoothSign, a[2], difference));
                return max ? muPart : Neg(muPart);
            }

            Expr sign = Call(ScalarFunction.SmoothSign, difference, a[2]);
            bool towardA = max == (k == 0);
            return Mul(new Num(0.5), towardA ? Add(One, sign) : Sub(One, sign));
        }

        /// <summary>d a^b / d a = b a^(b-1), with constant exponents folded.</summary>
        private static Expr PowBasePartial(Expr a, Expr b)
        {
            if (b is Num n)
            {
                if (n.Value == 0)
                {
                    return Zero;
                }

                if (n.Value == 1)
                {
                    return One;
                }

                if (n.Value == 2)
                {
                    return Mul(new Num(2), a);
                }

                Expr power = Mul(b, Call(ScalarFunction.Pow, a, new Num(n.Value - 1)));
                return n.Value > 1 ? power : Select(new Binary(BinaryOp.Equal, a, Zero), Zero, power);
            }

            Expr general = Mul(b, Call(ScalarFunction.Pow, a, Sub(b, One)));
            Expr singular = new Binary(BinaryOp.And, new Binary(BinaryOp.Equal, a, Zero), new Binary(BinaryOp.Less, b, One));
            return Select(singular, Zero, general);
        }
    }
}
