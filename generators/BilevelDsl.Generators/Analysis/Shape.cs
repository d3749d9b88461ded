using System.Collections.Generic;
using System.Linq;

namespace BilevelDsl.Generators.Analysis
{
    /// <summary>Curvature of an expression in y (x and data are parameters), ordered as the rules combine them.</summary>
    internal enum Curv
    {
        Constant,
        Affine,
        Convex,
        Concave,
        Unknown,
    }

    /// <summary>What is known of an expression's sign (for every x, data and y).</summary>
    internal enum Sign
    {
        Unknown,
        Zero,
        Positive,
        Nonnegative,
        Negative,
        Nonpositive,
    }

    /// <summary>The term that breaks convexity: what is wrong with it and the statement it is in.</summary>
    internal sealed record Culprit(string What, string Location, string Text);

    /// <summary>A run-time condition: the symmetric part of the data matrix <see cref="Matrix"/> (its C# access
    /// <see cref="Access"/>) is positive semidefinite.</summary>
    internal sealed record PsdRequirement(string Matrix, string Access, string Location, string Text);

    /// <summary>
    /// The abstract value of one scalar expression: its curvature and sign in y, plus the facts the composition
    /// rules need: whether it is provably strongly convex in all of y (<see cref="Strong"/>), strictly convex or
    /// concave in some direction (<see cref="StrictConvex"/>, <see cref="StrictConcave"/>), an affine term with a
    /// provably nonzero y-part (<see cref="NonzeroY"/>), c y[i] for a loop index i (<see cref="ElemIndex"/>), a
    /// product of one with a data matrix entry (<see cref="DataFactor"/>), a bilinear y[i] A[i,j] y[j]
    /// (<see cref="Bilinear"/>), and the data conditions its convexity rests on.
    /// </summary>
    internal sealed class Shape
    {
        public static readonly Shape Zero = Constant(0.0);
        public static readonly Shape Parameter = new Shape(Curv.Constant, Sign.Unknown);

        public Shape(Curv curv, Sign sign)
        {
            Curv = curv;
            Sign = sign;
        }

        public Curv Curv { get; private set; }

        public Sign Sign { get; private set; }

        /// <summary>The value, when it is a known constant (a literal or folded from literals).</summary>
        public double? Literal { get; private set; }

        public bool Strong { get; private set; }

        /// <summary>Strongly convex in y[i] (i this loop index) for every i: strong once summed over all of y.</summary>
        public string? StrongIndex { get; private set; }

        public bool StrictConvex { get; private set; }

        public bool StrictConcave { get; private set; }

        public bool NonzeroY { get; private set; }

        public string? ElemIndex { get; private set; }

        /// <summary>For an affine term c t + d whose y-part is one y-term t (scalar y, or y[k] for one index k): t's key.</summary>
        public string? YKey { get; private set; }

        /// <summary>The sign of c in <see cref="YKey"/>'s c t + d.</summary>
        public Sign YCoefficient { get; private set; }

        /// <summary>(matrix, row index, column index) of a data matrix entry this affine term is multiplied by.</summary>
        public (string Matrix, string Row, string Column)? DataFactor { get; private set; }

        /// <summary>y[Row] * Matrix[Row, Column] * y[Column] times a positive constant (Matrix null: no data factor yet).</summary>
        public (string? Matrix, string Row, string Column)? Bilinear { get; private set; }

        public IReadOnlyList<PsdRequirement> Conditions { get; private set; } = new PsdRequirement[0];

        public Culprit? Culprit { get; private set; }

        public bool IsConstant => Curv == Curv.Constant;

        /// <summary>Convex (affine and constant included).</summary>
        public bool IsConvex => Curv <= Curv.Convex;

        public bool IsConcave => Curv <= Curv.Affine || Curv == Curv.Concave;

        public bool IsAffine => Curv <= Curv.Affine;

        public static Shape Constant(double value) =>
            new Shape(Curv.Constant, value > 0 ? Sign.Positive : value < 0 ? Sign.Negative : value == 0 ? Sign.Zero : Sign.Unknown) { Literal = value };

        public static Shape WithSign(Sign sign) => new Shape(Curv.Constant, sign);

        public static Shape Unknown(Culprit? culprit) => new Shape(Curv.Unknown, Sign.Unknown) { Culprit = culprit };

        /// <summary>A y-element or scalar y: affine, provably depends on y.</summary>
        public static Shape YElement(string? index, string? key) =>
            new Shape(Curv.Affine, Sign.Unknown) { NonzeroY = true, ElemIndex = index, YKey = key, YCoefficient = Sign.Positive };

        public Shape WithY(string? key, Sign coefficient)
        {
            Shape s = Copy();
            bool keep = key != null && s.IsAffine && !s.IsConstant;
            s.YKey = keep ? key : null;
            s.YCoefficient = keep ? coefficient : Sign.Unknown;
            return s;
        }

        public Shape Copy() => (Shape)MemberwiseClone();

        public Shape With(Curv curv, Sign sign, Culprit? culprit = null)
        {
            Shape s = Plain(curv, sign, culprit ?? Culprit);
            s.Conditions = Conditions;
            return s;
        }

        private static Shape Plain(Curv curv, Sign sign, Culprit? culprit) => new Shape(curv, sign) { Culprit = culprit };

        public Shape Strengthen(bool strong, bool strictConvex, bool strictConcave, string? strongIndex = null)
        {
            Shape s = Copy();
            s.Strong = strong && s.IsConvex;
            s.StrictConvex = (strictConvex || s.Strong) && s.IsConvex;
            s.StrictConcave = strictConcave && s.IsConcave;
            s.StrongIndex = s.IsConvex ? strongIndex : null;
            return s;
        }

        public Shape WithMarkers(string? elemIndex, (string, string, string)? dataFactor, (string?, string, string)? bilinear)
        {
            Shape s = Copy();
            s.ElemIndex = elemIndex;
            s.DataFactor = dataFactor;
            s.Bilinear = bilinear;
            return s;
        }

        /// <summary>The same curvature, sign and strength, without the facts that hold only for this very expression
        /// (its y-term, loop-index markers): for a value that stands for many (a sum over iterations, a vector's elements,
        /// one of two branches).</summary>
        public Shape Detached() => WithY(null, Sign.Unknown).WithMarkers(null, null, null).Strengthen(Strong, StrictConvex, StrictConcave);

        public Shape WithConditions(IEnumerable<PsdRequirement> conditions)
        {
            Shape s = Copy();
            s.Conditions = Conditions.Concat(conditions).Distinct().ToArray();
            return s;
        }

        public Shape WithNonzeroY(bool nonzero)
        {
            Shape s = Copy();
            s.NonzeroY = nonzero && s.IsAffine && !s.IsConstant;
            return s;
        }

        public static Sign AddSigns(Sign a, Sign b)
        {
            if (a == Sign.Zero)
            {
                return b;
            }

            if (b == Sign.Zero)
            {
                return a;
            }

            bool aNonneg = a is Sign.Positive or Sign.Nonnegative, bNonneg = b is Sign.Positive or Sign.Nonnegative;
            bool aNonpos = a is Sign.Negative or Sign.Nonpositive, bNonpos = b is Sign.Negative or Sign.Nonpositive;
            if (aNonneg && bNonneg)
            {
                return a == Sign.Positive || b == Sign.Positive ? Sign.Positive : Sign.Nonnegative;
            }

            if (aNonpos && bNonpos)
            {
                return a == Sign.Negative || b == Sign.Negative ? Sign.Negative : Sign.Nonpositive;
            }

            return Sign.Unknown;
        }

        public static Sign Flip(Sign s) => s switch
        {
            Sign.Positive => Sign.Negative,
            Sign.Nonnegative => Sign.Nonpositive,
            Sign.Negative => Sign.Positive,
            Sign.Nonpositive => Sign.Nonnegative,
            _ => s,
        };

        public static Sign MultiplySigns(Sign a, Sign b)
        {
            if (a == Sign.Zero || b == Sign.Zero)
            {
                return Sign.Zero;
            }

            if (a == Sign.Unknown || b == Sign.Unknown)
            {
                return Sign.Unknown;
            }

            bool negative = (a is Sign.Negative or Sign.Nonpositive) != (b is Sign.Negative or Sign.Nonpositive);
            bool strict = a is Sign.Positive or Sign.Negative && b is Sign.Positive or Sign.Negative;
            return negative ? (strict ? Sign.Negative : Sign.Nonpositive) : (strict ? Sign.Positive : Sign.Nonnegative);
        }

        /// <summary>The sign common to two values (a branch that yields either).</summary>
        public static Sign JoinSigns(Sign a, Sign b)
        {
            if (a == b)
            {
                return a;
            }

            bool nonneg = a is Sign.Positive or Sign.Nonnegative or Sign.Zero && b is Sign.Positive or Sign.Nonnegative or Sign.Zero;
            bool nonpos = a is Sign.Negative or Sign.Nonpositive or Sign.Zero && b is Sign.Negative or Sign.Nonpositive or Sign.Zero;
            return nonneg ? Sign.Nonnegative : nonpos ? Sign.Nonpositive : Sign.Unknown;
        }

        /// <summary>Curvature of a sum.</summary>
        public static Curv AddCurv(Curv a, Curv b)
        {
            if (a == Curv.Unknown || b == Curv.Unknown)
            {
                return Curv.Unknown;
            }

            if (a <= Curv.Affine && b <= Curv.Affine)
            {
                return a > b ? a : b;
            }

            if (a <= Curv.Affine)
            {
                return b;
            }

            if (b <= Curv.Affine)
            {
                return a;
            }

            return a == b ? a : Curv.Unknown;
        }

        /// <summary>Curvature of a value that is one of two (a branch on a condition that does not depend on y).</summary>
        public static Curv JoinCurv(Curv a, Curv b) => AddCurv(a, b);

        public static Curv FlipCurv(Curv c) => c == Curv.Convex ? Curv.Concave : c == Curv.Concave ? Curv.Convex : c;

        public override string ToString() => Curv + (Strong ? " strong" : string.Empty) + " " + Sign + (Conditions.Count > 0 ? " if PSD" : string.Empty);
    }
}
