using System;
using System.Collections.Generic;
using System.Globalization;
using BilevelDsl.Generators.Diagnostics;
using BilevelDsl.Generators.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace BilevelDsl.Generators.Frontend
{
    internal sealed partial class BodyLowerer
    {
        private const string MatrixType = "BilevelDsl.Matrix";
        private const string DslType = Primitives.DslType;

        /// <summary>Lowers a scalar expression; statements it needs first (hoisted ?:) go to <paramref name="output"/>.</summary>
        private Expr LowerExpr(IOperation operation, List<Stmt> output)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (operation.ConstantValue.HasValue && ScalarTypeOf(operation.Type) is ScalarType constantType)
            {
                object? value = operation.ConstantValue.Value;
                switch (constantType)
                {
                    case ScalarType.Double:
                        return new Num(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                    case ScalarType.Int:
                        return new IntNum(Convert.ToInt32(value, CultureInfo.InvariantCulture));
                    default:
                        return new BoolConst(value is true);
                }
            }

            switch (operation)
            {
                case IConversionOperation conversion:
                    return LowerConversion(conversion, output);
                case ILocalReferenceOperation local:
                    return ReadLocal(local.Local, operation);
                case IParameterReferenceOperation parameter when state.ContainsKey(parameter.Parameter):
                    return ReadLocal(parameter.Parameter, operation);
                case IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false } or IParameterReferenceOperation:
                    return LowerMemberRead(operation, output);
                case IPropertyReferenceOperation indexer:
                    return LowerIndexer(indexer, output);
                case IArrayElementReferenceOperation element:
                    return LowerArrayElement(element, output);
                case IUnaryOperation unary:
                    return LowerUnary(unary, output);
                case IBinaryOperation binary:
                    return LowerBinary(binary, output);
                case IInvocationOperation invocation:
                    return LowerInvocation(invocation, output);
                case IConditionalOperation conditional when conditional.WhenFalse != null:
                    return LowerSelect(conditional, output);
                case IInvalidOperation:
                    failed = true; // C# already reports this code; a second error would only be noise
                    return new Num(0);
                default:
                    return Reject(operation, ExpressionName(operation));
            }
        }

        private Expr LowerCondition(IOperation operation, List<Stmt> output)
        {
            Expr condition = LowerExpr(operation, output);
            if (condition is Var or BoolConst)
            {
                return condition;
            }

            // Named once, so the derivative code re-tests a variable rather than recomputing the condition.
            string name = names.Fresh("condition");
            output.Add(new Assign(name, ScalarType.Bool, condition, Declare: true));
            return new Var(name, ScalarType.Bool);
        }

        private Expr ReadLocal(ISymbol symbol, IOperation operation)
        {
            if (state.TryGetValue(symbol, out Binding? poisoned) && poisoned.IsPoisoned)
            {
                failed = true;
                return new Num(0);
            }

            if (!state.TryGetValue(symbol, out Binding? binding) || binding.Name == null)
            {
                return Reject(operation, "a vector used where a number is expected");
            }

            for (int i = binding.Depth; i < loops.Count; i++)
            {
                if (loops[i].Accumulated.Contains(symbol))
                {
                    Report(DiagnosticCatalog.LoopCarriedState, operation.Syntax.GetLocation(), symbol.Name, "accumulated, and read");
                    return new Num(0);
                }
            }

            return new Var(binding.Name, binding.Type);
        }

        private Expr LowerConversion(IConversionOperation conversion, List<Stmt> output)
        {
            ScalarType? from = ScalarTypeOf(conversion.Operand.Type);
            ScalarType? to = ScalarTypeOf(conversion.Type);
            if (conversion.OperatorMethod == null && from != null && from == to)
            {
                return LowerExpr(conversion.Operand, output);
            }

            if (conversion.OperatorMethod == null && from == ScalarType.Int && to == ScalarType.Double)
            {
                return new Unary(UnaryOp.IntToDouble, LowerExpr(conversion.Operand, output));
            }

            return Reject(conversion, "conversion from '" + conversion.Operand.Type?.ToDisplayString() + "' to '" + conversion.Type?.ToDisplayString() + "'");
        }

        private Expr LowerMemberRead(IOperation operation, List<Stmt> output)
        {
            if (operation is IPropertyReferenceOperation property && property.Instance != null)
            {
                // Length of a vector or array; Rows/Columns of a matrix.
                string name = property.Property.Name;
                if (name == "Length" && Unconverted(property.Instance) is ILocalReferenceOperation lengthLocal
                    && state.TryGetValue(lengthLocal.Local, out Binding? lengthBinding) && lengthBinding.Length != null)
                {
                    return lengthBinding.Length; // a computed vector or a slice: its declared length
                }

                if (name == "Length" && (property.Instance.Type is IArrayTypeSymbol || ModelShapeReader.IsReadOnlySpanOfDouble(property.Instance.Type!) || ModelShapeReader.IsSpanOfDouble(property.Instance.Type!)))
                {
                    VecRef? vector = LowerVector(property.Instance, output, allowIntArray: true, freeze: false);
                    return vector == null ? new IntNum(0) : LengthOf(vector);
                }

                if ((name == "Rows" || name == "Columns") && property.Instance.Type?.ToDisplayString() == MatrixViewType)
                {
                    MatRef? view = LowerMatrix(property.Instance, output);
                    return view == null ? new IntNum(0) : name == "Rows" ? view.Rows! : view.Columns!;
                }

                if ((name == "Rows" || name == "Columns") && property.Instance.Type?.ToDisplayString() == MatrixType)
                {
                    VecRef? matrix = LowerVector(property.Instance, output, allowMatrix: true);
                    return matrix == null ? new IntNum(0) : new Dim(matrix, name == "Rows" ? DimensionKind.Rows : DimensionKind.Columns);
                }
            }

            DataSymbol? symbol = ResolveData(operation);
            if (symbol == null)
            {
                return Reject(operation, "a member that is not model data");
            }

            switch (symbol.Kind)
            {
                case DataKind.Double:
                    return new Var(symbol.Access, ScalarType.Double);
                case DataKind.Int:
                    return new Var(symbol.Access, ScalarType.Int);
                default:
                    return Reject(operation, "a vector or matrix used where a number is expected");
            }
        }

        private Expr LowerIndexer(IPropertyReferenceOperation indexer, List<Stmt> output)
        {
            if (indexer.Instance == null)
            {
                return Reject(indexer, "indexer");
            }

            if (indexer.Instance.Type?.ToDisplayString() == MatrixType && indexer.Arguments.Length == 2)
            {
                VecRef? matrix = LowerVector(indexer.Instance, output, allowMatrix: true);
                Expr row = LowerExpr(indexer.Arguments[0].Value, output);
                Expr column = LowerExpr(indexer.Arguments[1].Value, output);
                return matrix == null ? new Num(0) : new MatElem(matrix.Name, row, column);
            }

            if (indexer.Instance.Type?.ToDisplayString() == MatrixViewType && indexer.Arguments.Length == 2)
            {
                MatRef? view = LowerMatrix(indexer.Instance, output);
                Expr row = LowerExpr(indexer.Arguments[0].Value, output);
                Expr column = LowerExpr(indexer.Arguments[1].Value, output);
                if (view == null)
                {
                    return new Num(0);
                }

                // Entry (k, j) of a row-major view at offset o: element o + k * columns + j of the variable.
                Expr position = new Binary(BinaryOp.Add, new Binary(BinaryOp.Add, view.Offset!, new Binary(BinaryOp.Multiply, row, view.Columns!)), column);
                return new Elem(new VecRef(view.Name), position);
            }

            if ((ModelShapeReader.IsReadOnlySpanOfDouble(indexer.Instance.Type!) || ModelShapeReader.IsSpanOfDouble(indexer.Instance.Type!)) && indexer.Arguments.Length == 1)
            {
                VecRef? vector = LowerVector(indexer.Instance, output);
                Expr index = LowerExpr(indexer.Arguments[0].Value, output);
                return vector == null ? new Num(0) : ElementOf(vector, index);
            }

            return Reject(indexer, "indexer of '" + indexer.Instance.Type?.ToDisplayString() + "'");
        }

        private Expr LowerArrayElement(IArrayElementReferenceOperation element, List<Stmt> output)
        {
            if (element.Indices.Length != 1)
            {
                return Reject(element, "multi-dimensional array");
            }

            VecRef? vector = LowerVector(element.ArrayReference, output, allowIntArray: true);
            Expr index = LowerExpr(element.Indices[0], output);
            if (vector == null)
            {
                return new Num(0);
            }

            return new Elem(vector, index, data.TryGetValue(vector.Name, out DataSymbol? symbol) && symbol.Kind == DataKind.IntArray ? ScalarType.Int : ScalarType.Double);
        }

        private Expr LowerUnary(IUnaryOperation unary, List<Stmt> output)
        {
            if (unary.OperatorMethod != null)
            {
                return Reject(unary, "user-defined operator");
            }

            Expr operand = LowerExpr(unary.Operand, output);
            return unary.OperatorKind switch
            {
                UnaryOperatorKind.Minus => new Unary(UnaryOp.Negate, operand),
                UnaryOperatorKind.Plus => operand,
                UnaryOperatorKind.Not => new Unary(UnaryOp.Not, operand),
                _ => Reject(unary, "unary operator '" + unary.OperatorKind + "'"),
            };
        }

        private Expr LowerBinary(IBinaryOperation binary, List<Stmt> output)
        {
            if (binary.OperatorMethod != null || binary.IsLifted || binary.IsChecked)
            {
                return Reject(binary, "user-defined, lifted or checked operator");
            }

            BinaryOp? op = binary.OperatorKind switch
            {
                BinaryOperatorKind.Add => BinaryOp.Add,
                BinaryOperatorKind.Subtract => BinaryOp.Subtract,
                BinaryOperatorKind.Multiply => BinaryOp.Multiply,
                BinaryOperatorKind.Divide => BinaryOp.Divide,
                BinaryOperatorKind.Remainder => BinaryOp.Modulo,
                BinaryOperatorKind.LessThan => BinaryOp.Less,
                BinaryOperatorKind.LessThanOrEqual => BinaryOp.LessOrEqual,
                BinaryOperatorKind.GreaterThan => BinaryOp.Greater,
                BinaryOperatorKind.GreaterThanOrEqual => BinaryOp.GreaterOrEqual,
                BinaryOperatorKind.Equals => BinaryOp.Equal,
                BinaryOperatorKind.NotEquals => BinaryOp.NotEqual,
                BinaryOperatorKind.ConditionalAnd => BinaryOp.And,
                BinaryOperatorKind.ConditionalOr => BinaryOp.Or,
                _ => null,
            };
            if (op == null)
            {
                return Reject(binary, "operator '" + binary.OperatorKind + "'");
            }

            if (op == BinaryOp.Modulo && ScalarTypeOf(binary.Type) != ScalarType.Int)
            {
                return Reject(binary, "'%' on doubles (only int remainders are allowed)");
            }

            Expr left = LowerExpr(binary.LeftOperand, output);
            Expr right = LowerExpr(binary.RightOperand, output);
            return new Binary(op.Value, left, right);
        }

        /// <summary>c ? a : b becomes a real branch that assigns a phi variable, so only the taken arm runs.</summary>
        private Expr LowerSelect(IConditionalOperation conditional, List<Stmt> output)
        {
            ScalarType? type = ScalarTypeOf(conditional.Type);
            if (type == null)
            {
                return Reject(conditional, "conditional of type '" + conditional.Type?.ToDisplayString() + "'");
            }

            Expr condition = LowerCondition(conditional.Condition, output);
            var whenTrue = new List<Stmt>();
            Expr trueValue = LowerExpr(conditional.WhenTrue, whenTrue);
            var whenFalse = new List<Stmt>();
            Expr falseValue = LowerExpr(conditional.WhenFalse!, whenFalse);
            string phi = names.Fresh("choice");
            whenTrue.Add(new Assign(phi, type.Value, trueValue, Declare: false));
            whenFalse.Add(new Assign(phi, type.Value, falseValue, Declare: false));
            output.Add(new Declare(phi, type.Value));
            output.Add(new If(condition, ToBlock(whenTrue), ToBlock(whenFalse)));
            return new Var(phi, type.Value);
        }

        private Expr Reject(IOperation operation, string what)
        {
            Report(DiagnosticCatalog.UnsupportedExpression, operation.Syntax.GetLocation(), Shorten(operation.Syntax.ToString()), what);
            return new Num(0);
        }

        private static string ExpressionName(IOperation operation) => operation switch
        {
            IObjectCreationOperation or IAnonymousObjectCreationOperation => "object creation",
            IArrayCreationOperation => "array creation",
            IAnonymousFunctionOperation or IDelegateCreationOperation => "lambda or delegate",
            ISimpleAssignmentOperation or ICompoundAssignmentOperation => "assignment used as a value",
            IIncrementOrDecrementOperation => "increment or decrement used as a value",
            IInterpolatedStringOperation => "string",
            IConditionalAccessOperation => "null-conditional access",
            ICoalesceOperation => "null-coalescing operator",
            IIsPatternOperation or IIsTypeOperation => "type or pattern test",
            ISwitchExpressionOperation => "switch expression",
            ITupleOperation => "tuple",
            IThrowOperation => "throw expression",
            IInstanceReferenceOperation => "'this' used as a value",
            IDynamicInvocationOperation or IDynamicMemberReferenceOperation => "dynamic operation",
            ILiteralOperation => "literal of an unsupported type",
            _ => operation.Kind.ToString(),
        };

        private static ScalarType? ScalarTypeOf(ITypeSymbol? type) => type?.SpecialType switch
        {
            SpecialType.System_Double => ScalarType.Double,
            SpecialType.System_Int32 => ScalarType.Int,
            SpecialType.System_Boolean => ScalarType.Bool,
            _ => null,
        };
    }
}
