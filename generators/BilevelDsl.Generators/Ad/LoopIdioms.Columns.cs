using BilevelDsl.Generators.Ir;

namespace BilevelDsl.Generators.Ad
{
    internal static partial class LoopIdioms
    {
        /// <summary>
        /// The dot product of column <see cref="Column"/> of a matrix with a vector: what an inner loop
        /// <c>for k: s += M[k, j] * u[k]</c> computes. It only lives inside one rewrite: the enclosing loop over
        /// the columns either becomes a transposed matrix-vector product, or is left as written (it counts as
        /// depending on every index, so it never reaches a scale or an emitted statement).
        /// </summary>
        private sealed record ColumnDot(MatRef Matrix, Expr Column, VecRef Vector) : Expr
        {
            public override ScalarType Type => ScalarType.Double;
        }

        private sealed partial class LoopRewrite
        {
            /// <summary>An inner loop <c>for k: s += c * M[k, j] * u[k]</c> over all rows of M, with s a local of this
            /// body: recorded as s += c * (column j of M) · u.</summary>
            private bool ColumnReduction(For inner)
            {
                if (inner.Body.Statements.Count != 1 || !(inner.Body.Statements[0] is AddTo add) || !locals.TryGetValue(add.Target, out Expr? before))
                {
                    return false;
                }

                var rows = new LoopRewrite(context, inner with { From = Substitute(inner.From), To = Substitute(inner.To) });
                System.Collections.Generic.List<Term>? terms = Terms(Substitute(add.Value), e => Mentions(e, inner.Index));
                if (terms == null)
                {
                    return false;
                }

                Expr sum = Simplify.Zero;
                foreach (Term term in terms)
                {
                    if (term.Factors.Count != 2 || Mentions(term.Scale, inner.Index))
                    {
                        return false;
                    }

                    int columnSide = Mentions(term.Factors[0], Index) ? 0 : 1;
                    Expr weights = term.Factors[1 - columnSide];
                    if (Mentions(weights, Index) || !(rows.Operand(weights) is VecRef vector) || !(rows.ColumnOf(term.Factors[columnSide], Index) is ColumnDot column))
                    {
                        return false;
                    }

                    sum = Simplify.Add(sum, Simplify.Mul(term.Scale, column with { Vector = vector }));
                }

                prelude.AddRange(rows.prelude);
                locals[add.Target] = Simplify.Add(before, sum);
                return true;
            }

            /// <summary>
            /// Element (k, column) of a matrix as this loop's k runs over all of its rows: <c>M[k, j]</c> of a data
            /// matrix, or element <c>o + k * n + j</c> of a span (column j of an n-column row-major view). The
            /// vector is filled in by the caller.
            /// </summary>
            private ColumnDot? ColumnOf(Expr element, string column)
            {
                switch (element)
                {
                    case MatElem entry when !Mentions(entry.Column, Index):
                        (Expr Coefficient, Expr Base)? row = Affine(entry.Row, Index);
                        bool allRows = row != null && IsUnit(row.Value.Coefficient) && context.SameInt(IntAdd(row.Value.Base, loop.From), IntZero)
                            && context.SameInt(IntSub(loop.To, loop.From), new Dim(new VecRef(entry.Matrix), DimensionKind.Rows));
                        return allRows ? new ColumnDot(new MatRef(entry.Matrix), entry.Column, new VecRef(string.Empty)) : null;
                    case Elem { ElemType: ScalarType.Double, Vector: { Row: null } vector } entry:
                        Expr index = vector.Offset == null ? entry.Index : IntAdd(vector.Offset, entry.Index);
                        (Expr Coefficient, Expr Base)? stride = Affine(index, Index);
                        if (stride == null || Mentions(stride.Value.Coefficient, column) || !context.IsNonNegative(stride.Value.Coefficient))
                        {
                            return null;
                        }

                        (Expr Coefficient, Expr Base)? start = Affine(stride.Value.Base, column);
                        if (start == null || !IsUnit(start.Value.Coefficient))
                        {
                            return null;
                        }

                        string span = context.IsDataArray(vector.Name) ? PreludeAlias(new VecRef(vector.Name), vector.Name) : vector.Name;
                        Expr offset = IntAdd(start.Value.Base, IntMul(loop.From, stride.Value.Coefficient));
                        var view = new MatRef(span, offset, SafeLength(IntSub(loop.To, loop.From)), stride.Value.Coefficient);
                        return new ColumnDot(view, new Var(column, ScalarType.Int), new VecRef(string.Empty));
                    default:
                        return null;
                }
            }

            /// <summary>This loop runs over every column of the product's matrix (a transposed product fills them all).</summary>
            private bool AllColumns(ColumnDot column)
            {
                (Expr Coefficient, Expr Base)? position = Affine(column.Column, Index);
                Expr columns = column.Matrix.IsView ? column.Matrix.Columns! : new Dim(new VecRef(column.Matrix.Name), DimensionKind.Columns);
                return position != null && IsUnit(position.Value.Coefficient) && context.SameInt(IntAdd(position.Value.Base, loop.From), IntZero)
                    && context.SameInt(IntSub(loop.To, loop.From), columns);
            }
        }
    }
}
