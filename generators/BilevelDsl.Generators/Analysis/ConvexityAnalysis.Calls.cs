using System;
using System.Linq;
using BilevelDsl.Generators.Ir;

namespace BilevelDsl.Generators.Analysis
{
    // Calls: the composition rule over the primitive table's curvature and monotonicity, powers, and the
    // sign of a primitive's result.
    internal sealed partial class ConvexityAnalysis
    {
        private Shape CallShape(Call call)
        {
            Primitive primitive = Primitives.Of(call.Function);
            Shape[] args = call.Args.Select(Eval).ToArray();
            string name = primitive.MathName != null ? "Math." + primitive.MathName : primitive.DslName != null ? "Dsl." + primitive.DslName : call.Function.ToString();
            if (args.All(a => a.IsConstant))
            {
                return Shape.WithSign(ResultSign(primitive, args));
            }

            if (call.Function == ScalarFunction.Pow)
            {
                return Power(args[0], args[1], name);
            }

            Curv curv = primitive.Curvature switch
            {
                Curvature.Convex => Curv.Convex,
                Curvature.Concave => Curv.Concave,
                Curvature.Affine => Curv.Affine,
                _ => Curv.Unknown,
            };
            if (curv == Curv.Unknown)
            {
                return Shape.Unknown(Note(name + " of a term that depends on y (neither convex nor concave)"));
            }

            Shape result = new Shape(curv, ResultSign(primitive, args));
            for (int k = 0; k < args.Length; k++)
            {
                Monotonicity monotonicity = primitive.Monotonicity;
                if (call.Function == ScalarFunction.Abs || call.Function == ScalarFunction.SmoothAbs && k == 0)
                {
                    // |t| increases where t >= 0 and decreases where t <= 0.
                    monotonicity = args[k].Sign is Sign.Positive or Sign.Nonnegative or Sign.Zero ? Monotonicity.Increasing
                        : args[k].Sign is Sign.Negative or Sign.Nonpositive ? Monotonicity.Decreasing : Monotonicity.Neither;
                }

                if (!Composes(curv, monotonicity, args[k]))
                {
                    return Shape.Unknown(args[k].Curv == Curv.Unknown ? args[k].Culprit
                        : Note(name + " of a " + args[k].Curv.ToString().ToLowerInvariant() + " argument (" + primitive.Curvature.ToString().ToLowerInvariant() + ", " + monotonicity.ToString().ToLowerInvariant() + ")"));
                }

                result = result.WithConditions(args[k].Conditions);
            }

            bool strictArgument = primitive.Strict && args.Length == 1 && args[0].IsAffine && args[0].NonzeroY;
            bool strictConvex = strictArgument && curv == Curv.Convex;
            bool strictConcave = strictArgument && curv == Curv.Concave;
            Culprit? concave = curv == Curv.Concave ? Note(name + " (concave)") : null;
            return result.With(curv, result.Sign, concave).Strengthen(false, strictConvex, strictConcave);
        }

        /// <summary>The composition rule: f convex (concave) and, per argument, nondecreasing with a convex (concave)
        /// argument, nonincreasing with a concave (convex) one, or any with an affine one.</summary>
        private static bool Composes(Curv f, Monotonicity monotonicity, Shape arg)
        {
            if (arg.IsAffine)
            {
                return true;
            }

            bool wantsConvex = (f == Curv.Convex) == (monotonicity == Monotonicity.Increasing);
            return monotonicity is Monotonicity.Increasing or Monotonicity.Decreasing && (wantsConvex ? arg.Curv == Curv.Convex : arg.Curv == Curv.Concave);
        }

        private Shape Power(Shape a, Shape exponent, string name)
        {
            if (!(exponent.Literal is double p))
            {
                return Shape.Unknown(Note(name + " with an exponent that is not a literal"));
            }

            if (p == 1)
            {
                return a;
            }

            if (p == 0)
            {
                return Shape.Constant(1);
            }

            bool even = p == Math.Floor(p) && Math.Abs(p) < 1e15 && ((long)p) % 2 == 0;
            if (even && p > 0)
            {
                Shape square = Square(a);
                return p == 2 ? square : square.IsConvex ? square.Strengthen(false, a.IsAffine && a.NonzeroY, false) : square;
            }

            bool nonnegative = a.Sign is Sign.Positive or Sign.Nonnegative or Sign.Zero;
            if (!nonnegative)
            {
                return Shape.Unknown(a.Curv == Curv.Unknown ? a.Culprit : Note(name + " of a term whose sign is not known to be nonnegative"));
            }

            Curv curv = p > 1 || p < 0 ? Curv.Convex : Curv.Concave;
            Monotonicity monotonicity = p > 0 ? Monotonicity.Increasing : Monotonicity.Decreasing;
            if (!Composes(curv, monotonicity, a))
            {
                return Shape.Unknown(a.Curv == Curv.Unknown ? a.Culprit : Note(name + " of a " + a.Curv.ToString().ToLowerInvariant() + " argument"));
            }

            bool strict = a.IsAffine && a.NonzeroY;
            Culprit? concave = curv == Curv.Concave ? Note(name + " (concave)") : null;
            return new Shape(curv, a.Sign == Sign.Positive ? Sign.Positive : Sign.Nonnegative).WithConditions(a.Conditions)
                .With(curv, a.Sign == Sign.Positive ? Sign.Positive : Sign.Nonnegative, concave)
                .Strengthen(false, strict && curv == Curv.Convex, strict && curv == Curv.Concave);
        }

        /// <summary>The sign of a primitive's result by its table entry's <see cref="SignRule"/>.</summary>
        private static Sign ResultSign(Primitive primitive, Shape[] args)
        {
            switch (primitive.ResultSign)
            {
                case SignRule.Positive:
                    return Sign.Positive;
                case SignRule.NonnegativePositiveOffZero:
                    return args[0].Sign == Sign.Positive || args[0].Sign == Sign.Negative ? Sign.Positive : Sign.Nonnegative;
                case SignRule.AtLeastLarger:
                    return args.Take(2).Any(a => a.Sign == Sign.Positive) ? Sign.Positive
                        : args.Take(2).Any(a => a.Sign is Sign.Nonnegative or Sign.Zero) ? Sign.Nonnegative : Sign.Unknown;
                case SignRule.AtLeastSmaller:
                    return args.All(a => a.Sign == Sign.Positive) ? Sign.Positive : args.All(a => a.Sign is Sign.Positive or Sign.Nonnegative) ? Sign.Nonnegative : Sign.Unknown;
                case SignRule.OfArgument:
                    return args[0].Sign;
                default:
                    return args.All(a => a.Literal != null) && primitive.Function == ScalarFunction.Pow && args[0].Literal > 0 ? Sign.Positive : Sign.Unknown;
            }
        }
    }
}
