using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Diagnostics;
using BilevelDsl.Generators.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace BilevelDsl.Generators.Frontend
{
    // Vector and matrix operands and model data: what a read of x, y, a span local, a slice, a matrix row or view,
    // or a field of the model lowers to (writes and computed-vector versions are in BodyLowerer.Vectors.cs).
    internal sealed partial class BodyLowerer
    {
        /// <summary>Lowers a vector operand: x or y (span models), a span local, data arrays, matrix rows.</summary>
        private VecRef? LowerVector(IOperation operation, List<Stmt> output, bool allowIntArray = false, bool allowMatrix = false, bool freeze = true)
        {
            switch (operation)
            {
                case IConversionOperation conversion when !allowMatrix && IsSpanConversion(conversion):
                    return LowerVector(conversion.Operand, output, allowIntArray, freeze: freeze);
                case ILocalReferenceOperation local when state.TryGetValue(local.Local, out Binding? computed) && computed.IsComputed:
                    return ReadComputed(local.Local, computed, operation, freeze);
                case IInvocationOperation { TargetMethod.Name: "Slice", Instance: not null } slice
                    when (ModelShapeReader.IsReadOnlySpanOfDouble(slice.Instance.Type!) || ModelShapeReader.IsSpanOfDouble(slice.Instance.Type!)) && slice.Arguments.Length is 1 or 2:
                    return LowerSlice(slice, output);
                case IInvocationOperation { TargetMethod.Name: "Row", Instance: not null } viewRow
                    when viewRow.TargetMethod.ContainingType?.ToDisplayString() == MatrixViewType && viewRow.Arguments.Length == 1:
                {
                    MatRef? view = LowerMatrix(viewRow.Instance, output);
                    Expr k = LowerExpr(viewRow.Arguments[0].Value, output);
                    if (view == null)
                    {
                        return null;
                    }

                    Expr offset = NamedInt(new Binary(BinaryOp.Add, view.Offset!, new Binary(BinaryOp.Multiply, k, view.Columns!)), "offset", output);
                    return new VecRef(view.Name, null, offset, view.Columns);
                }

                case ILocalReferenceOperation local when state.TryGetValue(local.Local, out Binding? binding) && binding.Alias != null:
                    return binding.Alias;
                case ILocalReferenceOperation local when state.TryGetValue(local.Local, out Binding? binding) && binding.IsPoisoned:
                    failed = true;
                    return null;
                case IParameterReferenceOperation parameter when state.TryGetValue(parameter.Parameter, out Binding? binding) && binding.Alias != null:
                    return binding.Alias;
                case IInvocationOperation { TargetMethod.Name: "Row", Instance: not null } row
                    when row.TargetMethod.ContainingType?.ToDisplayString() == MatrixType && row.Arguments.Length == 1:
                    VecRef? matrix = LowerVector(row.Instance, output, allowMatrix: true);
                    Expr index = LowerExpr(row.Arguments[0].Value, output);
                    return matrix == null ? null : new VecRef(matrix.Name, index);
            }

            DataSymbol? symbol = ResolveData(operation);
            if (symbol != null && (symbol.Kind == DataKind.DoubleArray || (allowIntArray && symbol.Kind == DataKind.IntArray) || (allowMatrix && symbol.Kind == DataKind.Matrix)))
            {
                return new VecRef(symbol.Access);
            }

            Reject(operation, allowMatrix ? "a matrix that is not model data" : "a vector operand that is not x, y, a span local, a data array or a matrix row");
            return null;
        }

        /// <summary>A read of model data (field, property or primary-constructor parameter of the model).</summary>
        private DataSymbol? ResolveData(IOperation operation)
        {
            ISymbol? member;
            string access;
            switch (operation)
            {
                case IFieldReferenceOperation field when IsOwnMember(field.Field, field.Instance):
                    member = field.Field;
                    access = MemberAccess(field.Field);
                    break;
                case IPropertyReferenceOperation property when !property.Property.IsIndexer && IsOwnMember(property.Property, property.Instance):
                    member = property.Property;
                    access = MemberAccess(property.Property);
                    break;
                case IParameterReferenceOperation parameter
                    when parameter.Parameter.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor
                    && SymbolEqualityComparer.Default.Equals(constructor.ContainingType, modelType):
                    member = parameter.Parameter;
                    access = NameTable.Escape(parameter.Parameter.Name);
                    break;
                default:
                    return null;
            }

            ITypeSymbol? type = member switch
            {
                IFieldSymbol f => f.Type,
                IPropertySymbol p => p.Type,
                IParameterSymbol p => p.Type,
                _ => null,
            };
            DataKind? kind = type switch
            {
                { SpecialType: SpecialType.System_Double } => DataKind.Double,
                { SpecialType: SpecialType.System_Int32 } => DataKind.Int,
                IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Double } => DataKind.DoubleArray,
                IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Int32 } => DataKind.IntArray,
                _ when type?.ToDisplayString() == MatrixType => DataKind.Matrix,
                _ => null,
            };
            if (kind == null)
            {
                Report(DiagnosticCatalog.UnsupportedExpression, operation.Syntax.GetLocation(), operation.Syntax.ToString(), "model data of type '" + type?.ToDisplayString() + "'; data must be double, int, double[], int[] or Matrix");
                return null;
            }

            var symbol = new DataSymbol(access, access, kind.Value);
            data[access] = symbol;
            names.Reserve(access);
            return symbol;
        }

        private bool IsOwnMember(ISymbol member, IOperation? instance) =>
            SymbolEqualityComparer.Default.Equals(member.ContainingType, modelType)
            && (member.IsStatic || instance is IInstanceReferenceOperation);

        private static string MemberAccess(ISymbol member) =>
            member.IsStatic
                ? member.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + NameTable.Escape(member.Name)
                : "this." + NameTable.Escape(member.Name);

        /// <summary>A matrix operand: data (a Matrix, converted to a view), a MatrixView local, or Dsl.Reshape(v, rows, columns).</summary>
        private MatRef? LowerMatrix(IOperation operation, List<Stmt> output)
        {
            switch (operation)
            {
                case IConversionOperation { OperatorMethod: not null } conversion when conversion.Operand.Type?.ToDisplayString() == MatrixType:
                    VecRef? data = LowerVector(conversion.Operand, output, allowMatrix: true);
                    return data == null ? null : new MatRef(data.Name);
                case IConversionOperation { OperatorMethod: null } conversion:
                    return LowerMatrix(conversion.Operand, output);
                case ILocalReferenceOperation local when state.TryGetValue(local.Local, out Binding? binding) && (binding.Matrix != null || binding.IsPoisoned):
                    failed |= binding.IsPoisoned;
                    return binding.Matrix;
                case IInvocationOperation { TargetMethod.Name: "Reshape" } reshape when reshape.TargetMethod.ContainingType?.ToDisplayString() == DslType:
                    IOperation Argument(string parameter) => reshape.Arguments.First(a => a.Parameter?.Name == parameter).Value;
                    VecRef? vector = LowerVector(Argument("vector"), output);
                    Expr rows = NamedInt(LowerExpr(Argument("rows"), output), "rows", output);
                    Expr columns = NamedInt(LowerExpr(Argument("columns"), output), "columns", output);
                    if (vector == null)
                    {
                        return null;
                    }

                    if (vector.Row != null)
                    {
                        Reject(reshape, "a view of a data matrix row (reshape the data when you build the model)");
                        return null;
                    }

                    output.Add(new RequireLength(vector, new Binary(BinaryOp.Multiply, rows, columns), "Dsl.Reshape: the vector must have rows * columns entries"));
                    return new MatRef(vector.Name, vector.Offset ?? new IntNum(0), rows, columns);
            }

            Reject(operation, "a matrix that is not model data, a MatrixView local or Dsl.Reshape(...)");
            return null;
        }

        /// <summary>An int expression as a leaf (named once when it is not), since views repeat their sizes.</summary>
        private Expr NamedInt(Expr value, string stem, List<Stmt> output)
        {
            if (value is IntNum or Var or Dim)
            {
                return value;
            }

            string name = names.Fresh(stem);
            output.Add(new Assign(name, ScalarType.Int, value, Declare: true));
            return new Var(name, ScalarType.Int);
        }

        /// <summary>Element <paramref name="index"/> of a vector operand, with slices folded into the index.</summary>
        private static Expr ElementOf(VecRef vector, Expr index) =>
            vector.Offset != null
                ? new Elem(new VecRef(vector.Name), new Binary(BinaryOp.Add, vector.Offset, index))
                : new Elem(vector, index);

        /// <summary>v.Slice(start, length) or v.Slice(start) of a vector operand.</summary>
        private VecRef? LowerSlice(IInvocationOperation slice, List<Stmt> output)
        {
            VecRef? vector = LowerVector(slice.Instance!, output);
            if (vector == null)
            {
                return null;
            }

            if (vector.Row != null)
            {
                Reject(slice, "a slice of a data matrix row");
                return null;
            }

            Expr start = NamedInt(LowerExpr(slice.Arguments[0].Value, output), "start", output);
            Expr length = slice.Arguments.Length > 1
                ? NamedInt(LowerExpr(slice.Arguments[1].Value, output), "length", output)
                : NamedInt(new Binary(BinaryOp.Subtract, LengthOf(vector), start), "length", output);
            Expr offset = vector.Offset == null ? start : new Binary(BinaryOp.Add, vector.Offset, start);
            return new VecRef(vector.Name, null, NamedInt(offset, "offset", output), length);
        }

        private static Expr LengthOf(VecRef vector) => vector.Length ?? new Dim(vector, DimensionKind.Length);
    }
}
