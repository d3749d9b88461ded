using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Ir;
using BilevelDsl.Generators.Pipeline;

namespace BilevelDsl.Generators.Ad
{
    internal static partial class LoopIdioms
    {
        /// <summary>Vector operands of a loop over j in [From, To): the slice an element read walks, the matrix
        /// whose rows a row read walks, and the body's locals substituted away.</summary>
        private sealed partial class LoopRewrite
        {
            /// <summary>The contiguous slice that the element read <paramref name="factor"/> walks as j runs over
            /// the loop's range (unit stride), or null.</summary>
            private VecRef? Operand(Expr factor)
            {
                switch (factor)
                {
                    case Elem { ElemType: ScalarType.Double } element:
                        VecRef vector = element.Vector;
                        if (vector.Row != null)
                        {
                            return vector.Offset != null || Depends(vector.Row) ? null : RowSlice(vector.Name, vector.Row, element.Index);
                        }

                        Expr index = vector.Offset == null ? element.Index : IntAdd(vector.Offset, element.Index);
                        (Expr Coefficient, Expr Base)? position = Affine(index, Index);
                        return position == null || !IsUnit(position.Value.Coefficient) ? null : Slice(vector.Name, position.Value.Base);
                    case MatElem element when !Depends(element.Row):
                        return RowSlice(element.Matrix, element.Row, element.Column);
                    default:
                        return null;
                }
            }

            /// <summary>[rest + From, rest + To) of a named vector: the whole vector when that is what it is.</summary>
            private VecRef Slice(string name, Expr rest)
            {
                Expr offset = IntAdd(rest, loop.From), length = IntSub(loop.To, loop.From);
                if (context.SameInt(offset, IntZero) && context.SameInt(length, context.LengthOf(name)))
                {
                    return new VecRef(name);
                }

                string span = context.IsDataArray(name) ? PreludeAlias(new VecRef(name), name) : name;
                return new VecRef(span, null, offset, SafeLength(length));
            }

            /// <summary>Columns [column(From), column(To)) of one row of a data matrix.</summary>
            private VecRef? RowSlice(string matrix, Expr row, Expr column)
            {
                (Expr Coefficient, Expr Base)? position = Affine(column, Index);
                if (position == null || !IsUnit(position.Value.Coefficient))
                {
                    return null;
                }

                Expr offset = IntAdd(position.Value.Base, loop.From), length = IntSub(loop.To, loop.From);
                var whole = new VecRef(matrix, row);
                if (context.SameInt(offset, IntZero) && context.SameInt(length, new Dim(new VecRef(matrix), DimensionKind.Columns)))
                {
                    return whole;
                }

                return new VecRef(PreludeAlias(whole, "row"), null, offset, SafeLength(length));
            }

            /// <summary>The matrix whose row j the operand is, as j runs over the loop's range: rows of a data
            /// matrix (all of them), or consecutive slices [o + j * n, o + j * n + n) of a span (a row-major view).</summary>
            private MatRef? RowsOf(VecRef operand)
            {
                if (operand.Row != null)
                {
                    (Expr Coefficient, Expr Base)? row = Affine(operand.Row, Index);
                    bool allRows = row != null && IsUnit(row.Value.Coefficient) && context.SameInt(row.Value.Base, IntZero)
                        && context.SameInt(loop.From, IntZero) && context.SameInt(loop.To, new Dim(new VecRef(operand.Name), DimensionKind.Rows));
                    return allRows && operand.Offset == null ? new MatRef(operand.Name) : null;
                }

                if (operand.Offset == null || operand.Length == null || Depends(operand.Length))
                {
                    return null;
                }

                (Expr Coefficient, Expr Base)? start = Affine(operand.Offset, Index);
                Expr columns = operand.Length is Call { Function: ScalarFunction.IntMax } guarded ? guarded.Args[1] : operand.Length;
                if (start == null || !context.SameInt(start.Value.Coefficient, columns))
                {
                    return null;
                }

                Expr offset = IntAdd(start.Value.Base, IntMul(loop.From, start.Value.Coefficient));
                string span = context.IsDataArray(operand.Name) ? PreludeAlias(new VecRef(operand.Name), operand.Name) : operand.Name;
                return new MatRef(span, offset, SafeLength(IntSub(loop.To, loop.From)), operand.Length);
            }

            /// <summary>A span local for a data row or array, set where the loop was (so it can be sliced).</summary>
            private string PreludeAlias(VecRef source, string stem)
            {
                if (!preludeNames.TryGetValue(source, out string? name))
                {
                    name = context.Fresh(stem.Substring(stem.LastIndexOf('.') + 1).TrimStart('@'));
                    preludeNames[source] = name;
                    prelude.Add(new SpanAlias(name, source));
                }

                return name;
            }

            /// <summary>A loop's trip count as a slice length: max(0, n) unless n cannot be negative.</summary>
            private Expr SafeLength(Expr length) =>
                context.IsNonNegative(length) ? length : new Call(ScalarFunction.IntMax, EquatableArray.Of<Expr>(IntZero, length));

            private Expr Substitute(Expr expr) => expr switch
            {
                Var v when locals.TryGetValue(v.Name, out Expr? value) => value,
                Elem element => new Elem(Substitute(element.Vector), Substitute(element.Index), element.ElemType),
                MatElem element => element with { Row = Substitute(element.Row), Column = Substitute(element.Column) },
                Dim dimension => dimension with { Vector = Substitute(dimension.Vector) },
                Unary unary => unary with { Operand = Substitute(unary.Operand) },
                Binary binary => binary with { Left = Substitute(binary.Left), Right = Substitute(binary.Right) },
                Call call => call with { Args = EquatableArray.From(call.Args.Select(Substitute)) },
                HelperCall call => call with { Args = EquatableArray.From(call.Args.Select(Substitute)) },
                VecCall call => call with { Args = EquatableArray.From(call.Args.Select(Substitute)), Mu = call.Mu == null ? null : Substitute(call.Mu) },
                Select select => new Select(Substitute(select.Condition), Substitute(select.WhenTrue), Substitute(select.WhenFalse)),
                _ => expr,
            };

            /// <summary>A vector operand with the body's locals substituted, and a span alias of the body replaced
            /// by what it names (left alone when that cannot be said as one operand: the effect is then rejected).</summary>
            private VecRef Substitute(VecRef vector)
            {
                var substituted = new VecRef(
                    vector.Name,
                    vector.Row == null ? null : Substitute(vector.Row),
                    vector.Offset == null ? null : Substitute(vector.Offset),
                    vector.Length == null ? null : Substitute(vector.Length));
                if (!aliases.TryGetValue(substituted.Name, out VecRef? source))
                {
                    return substituted;
                }

                if (substituted.Row == null && substituted.Offset == null)
                {
                    return source;
                }

                if (source.Row != null && source.Offset == null && substituted.Row == null && context.SameInt(substituted.Offset!, IntZero)
                    && context.SameInt(substituted.Length ?? IntZero, new Dim(new VecRef(source.Name), DimensionKind.Columns)))
                {
                    return source; // the whole data row the alias names
                }

                return source.Row == null && substituted.Row == null
                    ? new VecRef(source.Name, null, source.Offset == null ? substituted.Offset : IntAdd(source.Offset, substituted.Offset!), substituted.Length)
                    : substituted;
            }
        }
    }
}
