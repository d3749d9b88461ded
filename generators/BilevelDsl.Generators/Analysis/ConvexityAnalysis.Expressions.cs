using System.Linq;
using BilevelDsl.Generators.Ir;

namespace BilevelDsl.Generators.Analysis
{
    // The scalar rules: sums, scaling by constants of known sign, squares and bilinear products of affine terms,
    // and the composition rules of disciplined convex programming for the primitives of the table.
    internal sealed partial class ConvexityAnalysis
    {
        private Shape Eval(Expr expr)
        {
            if (++depth > MaxDepth)
            {
                depth--;
                return Shape.Unknown(Note("an expression nested too deeply to analyse"));
            }

            try
            {
                return EvalCore(expr);
            }
            finally
            {
                depth--;
            }
        }

        private Shape EvalCore(Expr expr)
        {
            switch (expr)
            {
                case Num n:
                    return Shape.Constant(n.Value);
                case IntNum i:
                    return Shape.Constant(i.Value);
                case BoolConst _:
                    return Shape.Parameter;
                case Dim _:
                    return Shape.WithSign(Sign.Nonnegative); // a length, a row or column count
                case Var v:
                    return Lookup(v.Name);
                case Elem e:
                    Shape index = Eval(e.Index);
                    return index.IsConstant ? Element(e.Vector, e.Index) : Shape.Unknown(Note("an element read at an index that depends on y"));
                case MatElem m:
                    Shape row = Eval(m.Row), column = Eval(m.Column);
                    if (!row.IsConstant || !column.IsConstant || !IsDataMatrix(m.Matrix))
                    {
                        return Shape.Unknown(Note("an entry of '" + m.Matrix + "' that is not constant data"));
                    }

                    return m.Row is Var r && m.Column is Var c ? Shape.Parameter.WithMarkers(null, (m.Matrix, r.Name, c.Name), null) : Shape.Parameter;
                case Unary u:
                    Shape operand = Eval(u.Operand);
                    return u.Op == UnaryOp.Negate ? Scale(operand, Shape.Constant(-1)) : u.Op == UnaryOp.IntToDouble ? operand : Logical(operand, operand);
                case Binary b:
                    return Binary(b);
                case Call call:
                    return CallShape(call);
                case HelperCall helper:
                    return helper.Args.All(a => Eval(a).IsConstant) ? Shape.Parameter : Shape.Unknown(Note("the [Differentiable] helper '" + helper.Helper + "' of y (helpers are not analysed)"));
                case VecCall vecCall:
                    return VectorCall(vecCall);
                case Select select:
                    Shape condition = Eval(select.Condition);
                    Shape whenTrue = Eval(select.WhenTrue), whenFalse = Eval(select.WhenFalse);
                    return condition.IsConstant ? Join(whenTrue, whenFalse) : Shape.Unknown(Note("a conditional on a condition that depends on y"));
                default:
                    return Shape.Unknown(Note("an expression the analysis does not know (" + expr.GetType().Name + ")"));
            }
        }

        private Shape Lookup(string name)
        {
            if (vars.TryGetValue(name, out Shape? shape))
            {
                return shape;
            }

            if (name == yName && !yIsSpan)
            {
                return Shape.YElement(null, "y");
            }

            if (name == xName || data.ContainsKey(name) || loopIndices.Contains(name))
            {
                return Shape.Parameter;
            }

            return Shape.Unknown(Note("the variable '" + name + "', which the analysis did not see assigned"));
        }

        private Shape Binary(Binary b)
        {
            if (b.Op == BinaryOp.Multiply && FactorTimesSquare(b) is (Expr factor, Expr root))
            {
                // c * r * r parses as (c * r) * r, a product of two terms of y; read it as c * (r * r), a scaled square.
                Shape rootShape = Eval(root);
                return Multiply(Eval(factor), Multiply(rootShape, rootShape, true), false);
            }

            Shape left = Eval(b.Left), right = Eval(b.Right);
            switch (b.Op)
            {
                case BinaryOp.Add:
                    return Add(left, right);
                case BinaryOp.Subtract:
                    return Add(left, Scale(right, Shape.Constant(-1)));
                case BinaryOp.Multiply:
                    return Multiply(left, right, b.Left.Equals(b.Right));
                case BinaryOp.Divide:
                    if (right.IsConstant)
                    {
                        Shape reciprocal = right.Literal is double v && v != 0 ? Shape.Constant(1 / v) : Shape.WithSign(right.Sign == Sign.Zero ? Sign.Unknown : right.Sign);
                        return Scale(left, reciprocal);
                    }

                    return Shape.Unknown(Note("a division by a term that depends on y"));
                case BinaryOp.Modulo:
                    return left.IsConstant && right.IsConstant ? Shape.Parameter : Shape.Unknown(Note("a remainder of a term that depends on y"));
                default:
                    return Logical(left, right);
            }
        }

        /// <summary>
        /// The factor c and the root r of a product that repeats one operand across a nested product: (c * r) * r,
        /// (r * c) * r, r * (r * c) or r * (c * r); null for any other product. Multiplication is associative, so any
        /// rule that holds for c * (r * r) holds for the product as written.
        /// </summary>
        private static (Expr Factor, Expr Root)? FactorTimesSquare(Binary b)
        {
            if (b.Left is Binary { Op: BinaryOp.Multiply } left)
            {
                if (left.Right.Equals(b.Right))
                {
                    return (left.Left, b.Right);
                }

                if (left.Left.Equals(b.Right))
                {
                    return (left.Right, b.Right);
                }
            }

            if (b.Right is Binary { Op: BinaryOp.Multiply } right)
            {
                if (right.Left.Equals(b.Left))
                {
                    return (right.Right, b.Left);
                }

                if (right.Right.Equals(b.Left))
                {
                    return (right.Left, b.Left);
                }
            }

            return null;
        }

        /// <summary>A comparison or logical operator: constant when its operands are.</summary>
        private Shape Logical(Shape left, Shape right) =>
            left.IsConstant && right.IsConstant ? Shape.Parameter : Shape.Unknown(Note("a comparison of a term that depends on y"));

        private Shape Add(Shape a, Shape b)
        {
            Curv curv = Shape.AddCurv(a.Curv, b.Curv);
            Culprit? culprit = curv != Curv.Unknown ? (a.Culprit ?? b.Culprit)
                : a.Curv == Curv.Unknown ? a.Culprit : b.Curv == Curv.Unknown ? b.Culprit
                : a.Curv == Curv.Concave ? a.Culprit : b.Culprit;
            Shape sum = a.With(curv, Shape.AddSigns(a.Sign, b.Sign), culprit).WithConditions(b.Conditions);
            if (a.Literal is double u && b.Literal is double v)
            {
                return Shape.Constant(u + v);
            }

            string? strongIndex = a.StrongIndex != null && b.IsConvex && (b.StrongIndex == null || b.StrongIndex == a.StrongIndex) ? a.StrongIndex
                : b.StrongIndex != null && a.IsConvex && a.StrongIndex == null ? b.StrongIndex : null;
            sum = sum.Strengthen(
                (a.Strong && b.IsConvex) || (b.Strong && a.IsConvex),
                (a.StrictConvex && b.IsConvex) || (b.StrictConvex && a.IsConvex),
                (a.StrictConcave && b.IsConcave) || (b.StrictConcave && a.IsConcave),
                strongIndex);
            Shape? single = a.IsConstant ? b : b.IsConstant ? a : null;
            sum = sum.WithNonzeroY(single?.NonzeroY == true);
            sum = single != null ? sum.WithY(single.YKey, single.YCoefficient)
                : a.YKey != null && a.YKey == b.YKey ? sum.WithY(a.YKey, Shape.AddSigns(a.YCoefficient, b.YCoefficient)) : sum.WithY(null, Sign.Unknown);
            return single == null ? sum : sum.WithMarkers(single.ElemIndex, single.IsConstant ? null : single.DataFactor, single.Bilinear);
        }

        /// <summary>s times a constant c (in y).</summary>
        private Shape Scale(Shape s, Shape c)
        {
            if (s.IsConstant)
            {
                return Multiply(s, c, false);
            }

            if (c.Sign == Sign.Zero)
            {
                return Shape.Zero;
            }

            if (s.Bilinear is { } q)
            {
                // y[i] y[j] times A[i,j] names the matrix of the form; a positive factor keeps it; anything else is not a form.
                if (q.Matrix == null && c.DataFactor is { } entry && Matches(entry, q.Row, q.Column))
                {
                    return s.WithMarkers(null, null, (entry.Matrix, q.Row, q.Column));
                }

                return c.Sign == Sign.Positive && c.DataFactor == null ? s : Shape.Unknown(s.Culprit);
            }

            bool positive = c.Sign == Sign.Positive, nonnegative = positive || c.Sign == Sign.Nonnegative;
            bool negative = c.Sign == Sign.Negative, nonpositive = negative || c.Sign == Sign.Nonpositive;
            Sign sign = Shape.MultiplySigns(s.Sign, c.Sign);
            Shape result;
            if (s.IsAffine || nonnegative)
            {
                result = s.With(s.Curv, sign).Strengthen(s.Strong && positive, s.StrictConvex && positive, s.StrictConcave && positive, positive ? s.StrongIndex : null);
            }
            else if (nonpositive)
            {
                Curv flipped = Shape.FlipCurv(s.Curv);
                Culprit? culprit = flipped == Curv.Concave ? Note("a convex term times a negative factor (concave)") : s.Culprit;
                result = s.With(flipped, sign, culprit).Strengthen(false, s.StrictConcave && negative, s.StrictConvex && negative);
            }
            else
            {
                return Shape.Unknown(s.Curv == Curv.Unknown ? s.Culprit : Note("a " + s.Curv.ToString().ToLowerInvariant() + " term times a factor of unknown sign"))
                    .WithMarkers(null, null, null);
            }

            bool nonzero = c.Sign is Sign.Positive or Sign.Negative || (c.Literal is double v && v != 0);
            var matrix = c.DataFactor;
            bool affineElement = s.IsAffine && s.ElemIndex != null && (s.DataFactor == null || matrix == null);
            return result.WithNonzeroY(s.NonzeroY && nonzero).WithY(s.YKey, Shape.MultiplySigns(s.YCoefficient, c.Sign))
                .WithMarkers(affineElement ? s.ElemIndex : null, affineElement ? s.DataFactor ?? matrix : null, null);
        }

        private static bool Matches((string Matrix, string Row, string Column) entry, string i, string j) =>
            (entry.Row == i && entry.Column == j) || (entry.Row == j && entry.Column == i);

        private Shape Multiply(Shape a, Shape b, bool sameExpression)
        {
            if (a.IsConstant && b.IsConstant)
            {
                Shape product = a.Literal is double u && b.Literal is double v ? Shape.Constant(u * v) : Shape.WithSign(Shape.MultiplySigns(a.Sign, b.Sign));
                var entry = a.DataFactor ?? b.DataFactor;
                return a.DataFactor != null && b.DataFactor != null ? product : product.WithMarkers(null, entry, null);
            }

            if (a.IsConstant || b.IsConstant)
            {
                return a.IsConstant ? Scale(b, a) : Scale(a, b);
            }

            if (sameExpression)
            {
                return Square(a);
            }

            if (a.IsAffine && b.IsAffine && a.YKey != null && a.YKey == b.YKey && a.Bilinear == null && b.Bilinear == null)
            {
                // (c1 t + d1)(c2 t + d2) = c1 c2 t^2 + affine: convex if c1 c2 > 0, concave if < 0, strictly in t.
                Sign product = Shape.MultiplySigns(a.YCoefficient, b.YCoefficient);
                string? index = a.ElemIndex != null && a.ElemIndex == b.ElemIndex ? a.ElemIndex : null;
                if (product == Sign.Positive)
                {
                    return new Shape(Curv.Convex, Sign.Unknown).Strengthen(a.YKey == "y" && !yIsSpan, true, false, index);
                }

                if (product == Sign.Negative)
                {
                    return new Shape(Curv.Concave, Sign.Unknown) { }.With(Curv.Concave, Sign.Unknown, Note("a negative multiple of a square of y (concave)")).Strengthen(false, false, true);
                }
            }

            if (a.IsAffine && b.IsAffine && a.ElemIndex != null && b.ElemIndex != null && a.ElemIndex != b.ElemIndex && a.Bilinear == null && b.Bilinear == null)
            {
                // y[i] (A[i,j]) y[j]: a bilinear term, convex once summed over all i and j if A is PSD (see Promote).
                var entry = a.DataFactor ?? b.DataFactor;
                if (a.DataFactor == null || b.DataFactor == null)
                {
                    if (entry == null || Matches(entry.Value, a.ElemIndex, b.ElemIndex))
                    {
                        return Shape.Unknown(Note("a product of two terms that depend on y"))
                            .WithMarkers(null, null, (entry?.Matrix, a.ElemIndex, b.ElemIndex));
                    }
                }
            }

            return Shape.Unknown(Note("a product of two terms that depend on y"));
        }

        private Shape Square(Shape a)
        {
            if (a.IsAffine)
            {
                bool strict = a.NonzeroY;
                Shape s = a.With(Curv.Convex, Sign.Nonnegative).WithMarkers(null, null, null);
                return s.Strengthen(strict && !yIsSpan && a.YKey == "y", strict, false, strict ? a.ElemIndex : null);
            }

            if ((a.Curv == Curv.Convex && a.Sign is Sign.Positive or Sign.Nonnegative) || (a.Curv == Curv.Concave && a.Sign is Sign.Negative or Sign.Nonpositive))
            {
                return a.With(Curv.Convex, Sign.Nonnegative).Strengthen(false, false, false).WithMarkers(null, null, null);
            }

            return Shape.Unknown(a.Curv == Curv.Unknown ? a.Culprit : Note("the square of a " + a.Curv.ToString().ToLowerInvariant() + " term of unknown sign"));
        }

        private Shape Join(Shape a, Shape b)
        {
            if (a.Literal is double u && b.Literal is double v && u == v)
            {
                return a;
            }

            Curv curv = Shape.JoinCurv(a.Curv, b.Curv);
            Culprit? culprit = a.Curv == Curv.Unknown || a.Curv == Curv.Concave ? a.Culprit ?? b.Culprit : b.Culprit ?? a.Culprit;
            return a.With(curv, Shape.JoinSigns(a.Sign, b.Sign), culprit).WithConditions(b.Conditions)
                .Strengthen(a.Strong && b.Strong, a.StrictConvex && b.StrictConvex, a.StrictConcave && b.StrictConcave)
                .Detached();
        }
    }
}
