using System.Linq;
using BilevelDsl.Generators.Ir;

namespace BilevelDsl.Generators.Analysis
{
    /// <summary>The abstract value of a vector: the shape every element has (<see cref="Element"/>), whether it is exactly
    /// y (<see cref="IsWholeY"/>), and whether it is exactly c A y for a data matrix A and c &gt; 0 (<see cref="Form"/>,
    /// the half of a quadratic form y'Ay that Dsl.Dot(y, v) completes).</summary>
    internal sealed record VecShape(Shape Element, bool IsWholeY = false, string? Form = null, bool Fresh = false)
    {
        public static readonly VecShape Data = new VecShape(Shape.Parameter);

        public static readonly VecShape Zero = new VecShape(Shape.Zero, Fresh: true);
    }

    // The vector rules: y and its slices are affine, data constant; computed vectors carry the shape of what was
    // written into them (MatVec of data with an affine vector is affine, Axpy adds, Map and element loops compose);
    // Dot, SquaredNorm, Sum, LogSumExp and Norm1 follow their curvature and monotonicity.
    internal sealed partial class ConvexityAnalysis
    {
        private VecShape Vector(VecRef vector)
        {
            if (vector.Row != null)
            {
                return IsDataMatrix(vector.Name) && Eval(vector.Row).IsConstant ? VecShape.Data : new VecShape(Shape.Unknown(Note("a row of '" + vector.Name + "' that is not constant data")));
            }

            if (vectors.TryGetValue(vector.Name, out VecShape? computed))
            {
                return computed;
            }

            if (vector.Name == yName)
            {
                bool whole = vector.Offset == null && vector.Length == null;
                return new VecShape(Shape.YElement(null, null), IsWholeY: whole && yIsSpan);
            }

            return vector.Name == xName || data.ContainsKey(vector.Name) ? VecShape.Data : new VecShape(Shape.Unknown(Note("the vector '" + vector.Name + "', which the analysis did not see")));
        }

        private Shape Element(VecRef vector, Expr index)
        {
            VecShape shape = Vector(vector);
            if (vector.Name == yName && vector.Row == null && !vectors.ContainsKey(yName))
            {
                string? key = vector.Offset != null ? null : index is Var v ? "y[" + v.Name + "]" : index is IntNum n ? "y[" + n.Value + "]" : null;
                return Shape.YElement(vector.Offset == null && index is Var w ? w.Name : null, key);
            }

            return shape.Element.Detached();
        }

        private VecShape AddVectors(VecShape target, VecShape contribution) =>
            target.Fresh ? contribution with { Element = contribution.Element.Detached(), Fresh = false } : new VecShape(Add(target.Element, contribution.Element).Detached());

        private void MatVec(MatVecUpdate update)
        {
            Shape scale = Eval(update.Scale);
            Shape matrix = MatrixShape(update.Matrix);
            VecShape operand = Vector(update.Vector);
            Shape product;
            if (matrix.IsConstant && operand.Element.IsConstant)
            {
                product = Shape.Parameter;
            }
            else if (matrix.IsConstant && operand.Element.IsAffine || matrix.IsAffine && operand.Element.IsConstant)
            {
                product = new Shape(Curv.Affine, Sign.Unknown);
            }
            else
            {
                product = Shape.Unknown(Note("a matrix-vector product of two factors that depend on y"));
            }

            Shape element = scale.IsConstant ? Scale(product, scale) : product.IsConstant ? Scale(scale, product) : Shape.Unknown(Note("a matrix-vector product scaled by a term that depends on y"));
            string? form = !update.Matrix.IsView && operand.IsWholeY && scale.Literal > 0 ? update.Matrix.Name : null;
            Update(update.Target, new VecShape(element.Detached(), Form: form));
        }

        private Shape MatrixShape(MatRef matrix)
        {
            if (!matrix.IsView)
            {
                return IsDataMatrix(matrix.Name) ? Shape.Parameter : Shape.Unknown(Note("the matrix '" + matrix.Name + "'"));
            }

            bool constantShape = new[] { matrix.Offset, matrix.Rows, matrix.Columns }.All(e => e == null || Eval(e).IsConstant);
            Shape elements = Vector(new VecRef(matrix.Name)).Element;
            return constantShape ? elements.Detached() : Shape.Unknown(Note("a matrix view whose shape depends on y"));
        }

        private void AddVector(AddVector add)
        {
            Shape scale = Eval(add.Scale);
            VecShape contribution;
            switch (add.Source)
            {
                case VecScaled scaled:
                    Shape source = Vector(scaled.Vector).Element;
                    Shape factor = Multiply(scale, Shape.Constant(scaled.Factor), false);
                    contribution = new VecShape((factor.IsConstant ? Scale(source, factor) : source.IsConstant ? Scale(factor, source)
                        : Shape.Unknown(Note("Dsl.Axpy of two factors that depend on y"))).Detached());
                    break;
                case VecSoftmax softmax:
                    contribution = new VecShape(Vector(softmax.Vector).Element.IsConstant && scale.IsConstant ? Shape.Parameter : Shape.Unknown(Note("Dsl.Softmax of a vector that depends on y")));
                    break;
                default:
                    contribution = new VecShape(Shape.Unknown(Note("a vector update the analysis does not know")));
                    break;
            }

            Update(add.Target, contribution);
        }

        private void Update(VecRef target, VecShape contribution)
        {
            VecShape current = vectors.TryGetValue(target.Name, out VecShape? known) ? known : VecShape.Zero;
            bool whole = target.Offset == null && target.Length == null && target.Row == null;
            VecShape next = AddVectors(current, contribution);
            vectors[target.Name] = whole ? next : next with { Form = null };
        }

        private Shape VectorCall(VecCall call)
        {
            VecShape[] args = call.Args.Select(Vector).ToArray();
            Shape[] elements = args.Select(a => a.Element).ToArray();
            string name = "Dsl." + call.Function;
            if (elements.All(e => e.IsConstant))
            {
                return call.Function is VectorFunction.SquaredNorm or VectorFunction.Norm1 or VectorFunction.SmoothNorm1 ? Shape.WithSign(Sign.Nonnegative) : Shape.Parameter;
            }

            switch (call.Function)
            {
                case VectorFunction.Dot:
                    if (elements[0].IsConstant || elements[1].IsConstant)
                    {
                        Shape other = elements[0].IsConstant ? elements[1] : elements[0];
                        return other.IsAffine ? new Shape(Curv.Affine, Sign.Unknown) : Shape.Unknown(other.Curv == Curv.Unknown ? other.Culprit : Note(name + " of data with a nonaffine vector"));
                    }

                    if (call.Args[0].Equals(call.Args[1]))
                    {
                        return SumOfSquares(args[0], name);
                    }

                    string? form = args[0].IsWholeY ? args[1].Form : args[1].IsWholeY ? args[0].Form : null;
                    if (form != null)
                    {
                        return new Shape(Curv.Convex, Sign.Unknown).WithConditions(new[] { Requirement(form) });
                    }

                    return Shape.Unknown(Note(name + " of two vectors that depend on y"));
                case VectorFunction.SquaredNorm:
                    return SumOfSquares(args[0], name);
                case VectorFunction.Sum:
                    return elements[0].IsAffine ? new Shape(Curv.Affine, Sign.Unknown)
                        : elements[0].With(elements[0].Curv, elements[0].Sign == Sign.Positive ? Sign.Positive : elements[0].Sign).Strengthen(false, false, false);
                case VectorFunction.LogSumExp:
                    return elements[0].IsConvex ? elements[0].With(Curv.Convex, Sign.Unknown).Strengthen(false, false, false)
                        : Shape.Unknown(elements[0].Curv == Curv.Unknown ? elements[0].Culprit : Note(name + " of a concave vector"));
                case VectorFunction.Norm1:
                case VectorFunction.SmoothNorm1:
                    return elements[0].IsAffine ? new Shape(Curv.Convex, Sign.Nonnegative)
                        : Shape.Unknown(elements[0].Curv == Curv.Unknown ? elements[0].Culprit : Note(name + " of a nonaffine vector"));
                default:
                    return Shape.Unknown(Note(name + " (not analysed)"));
            }
        }

        private Shape SumOfSquares(VecShape vector, string name)
        {
            Shape element = vector.Element;
            if (element.IsAffine)
            {
                bool strict = element.NonzeroY;
                return new Shape(Curv.Convex, Sign.Nonnegative).Strengthen(vector.IsWholeY, strict, false);
            }

            if (element.Curv == Curv.Convex && element.Sign is Sign.Positive or Sign.Nonnegative)
            {
                return element.With(Curv.Convex, Sign.Nonnegative).Strengthen(false, false, false);
            }

            return Shape.Unknown(element.Curv == Curv.Unknown ? element.Culprit : Note(name + " of a vector whose elements are " + element.Curv.ToString().ToLowerInvariant() + " of unknown sign"));
        }

        private PsdRequirement Requirement(string matrix) =>
            new PsdRequirement(matrix.Substring(matrix.LastIndexOf('.') + 1), data.TryGetValue(matrix, out DataSymbol? symbol) ? symbol.Access : matrix, site?.Location ?? string.Empty, site?.Text ?? string.Empty);

        private bool IsDataMatrix(string name) => data.TryGetValue(name, out DataSymbol? symbol) && symbol.Kind == DataKind.Matrix;
    }
}
