using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using BilevelDsl.Generators.Diagnostics;
using BilevelDsl.Generators.Ir;
using BilevelDsl.Generators.Pipeline;
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

        private Expr LowerInvocation(IInvocationOperation invocation, List<Stmt> output)
        {
            IMethodSymbol target = invocation.TargetMethod;
            string container = target.ContainingType?.ToDisplayString() ?? string.Empty;
            bool isMath = container == Primitives.MathType;
            if ((isMath || container == DslType) && Primitives.HasName(dsl: !isMath, target.Name))
            {
                // The overload decides: Math.Max(int, int) is the int primitive, Math.Log(a, base) none at all.
                bool allInt = target.Parameters.All(p => p.Type.SpecialType == SpecialType.System_Int32);
                bool allDouble = target.Parameters.All(p => p.Type.SpecialType == SpecialType.System_Double);
                Primitive? primitive = allInt || allDouble
                    ? Primitives.Find(dsl: !isMath, target.Name, target.Parameters.Length, allInt ? ScalarType.Int : ScalarType.Double)
                    : null;
                if (primitive == null)
                {
                    return RejectCall(invocation);
                }

                RecordNonsmooth(primitive, invocation);
                return new Call(primitive.Function, LowerArguments(invocation, output));
            }

            if (container == DslType && LowerNonsmoothIntrinsic(invocation, output) is Expr intrinsic)
            {
                return intrinsic;
            }

            if (container == DslType && target.Name == "SoftmaxCrossEntropy")
            {
                // LogSumExp(logits) - logits[label]: exact derivatives from the LogSumExp rule and the element read.
                VecRef? logits = LowerVector(invocation.Arguments.First(a => a.Parameter?.Name == "logits").Value, output);
                Expr label = LowerExpr(invocation.Arguments.First(a => a.Parameter?.Name == "label").Value, output);
                return logits == null
                    ? new Num(0)
                    : new Binary(BinaryOp.Subtract, new VecCall(VectorFunction.LogSumExp, EquatableArray.Of(logits)), ElementOf(logits, label));
            }

            if (container == DslType && Primitives.FindVector(target.Name) is VectorPrimitive vectorPrimitive)
            {
                var vectors = new List<VecRef>();
                foreach (IArgumentOperation argument in invocation.Arguments)
                {
                    VecRef? vector = LowerVector(argument.Value, output);
                    if (vector == null)
                    {
                        return new Num(0);
                    }

                    vectors.Add(vector);
                }

                if (vectorPrimitive.Smoothness == Smoothness.Kink)
                {
                    RecordNonsmooth(target.Name, invocation);
                }

                return new VecCall(vectorPrimitive.Function, EquatableArray.From(vectors));
            }

            if (SymbolEqualityComparer.Default.Equals(target.ContainingType, modelType)
                && ModelShapeReader.HasAttribute(target, ModelShapeReader.DifferentiableAttribute))
            {
                if (SymbolEqualityComparer.Default.Equals(target, method))
                {
                    Report(DiagnosticCatalog.BadHelper, invocation.Syntax.GetLocation(), target.Name, "is recursive; recursion cannot be differentiated");
                    return new Num(0);
                }

                if (!helpers.Contains(target))
                {
                    failed = true; // the declaration carries its own BDSL0015
                    return new Num(0);
                }

                return new HelperCall(HelperKey(target, helpers), LowerArguments(invocation, output));
            }

            return RejectCall(invocation);
        }

        /// <summary>The scalar function a method group names (Dsl.Map's function), applied to <paramref name="args"/>;
        /// null after reporting when it is not one the generator can differentiate.</summary>
        private Expr? ScalarCallOf(IMethodSymbol function, EquatableArray<Expr> args, IInvocationOperation site)
        {
            string container = function.ContainingType?.ToDisplayString() ?? string.Empty;
            bool unaryDouble = function.Parameters.Length == 1 && function.Parameters[0].Type.SpecialType == SpecialType.System_Double
                && function.ReturnType.SpecialType == SpecialType.System_Double;
            bool isMath = container == Primitives.MathType;
            if (unaryDouble && (isMath || container == DslType) && Primitives.Find(dsl: !isMath, function.Name, 1, ScalarType.Double) is { IsMappable: true } primitive)
            {
                return new Call(primitive.Function, args);
            }

            if (unaryDouble && SymbolEqualityComparer.Default.Equals(function.ContainingType, modelType)
                && ModelShapeReader.HasAttribute(function, ModelShapeReader.DifferentiableAttribute) && helpers.Contains(function))
            {
                return new HelperCall(HelperKey(function, helpers), args);
            }

            Report(DiagnosticCatalog.NonDifferentiableCall, site.Syntax.GetLocation(), (function.ContainingType == null ? string.Empty : function.ContainingType.Name + ".") + function.Name
                + " (Dsl.Map takes a smooth Math or Dsl function of one double, or a [Differentiable] helper of one double)");
            return null;
        }

        /// <summary>Dsl.Relu, Hinge, PowAbs and OscarPair, written in terms of Max, Abs and Pow so that their
        /// exact derivatives and their smoothed forms come from those primitives' rules.</summary>
        private Expr? LowerNonsmoothIntrinsic(IInvocationOperation invocation, List<Stmt> output)
        {
            string name = invocation.TargetMethod.Name;
            if (name != "Relu" && name != "Hinge" && name != "PowAbs" && name != "OscarPair")
            {
                return null;
            }

            RecordNonsmooth(name, invocation);
            EquatableArray<Expr> args = LowerArguments(invocation, output);
            switch (name)
            {
                case "Relu":
                    return Simplify.Call(ScalarFunction.Max, args[0], new Num(0));
                case "Hinge":
                    return Simplify.Call(ScalarFunction.Max, new Num(0), new Binary(BinaryOp.Subtract, new Num(1), args[0]));
                case "PowAbs":
                    return Simplify.Call(ScalarFunction.Pow, Simplify.Call(ScalarFunction.Abs, args[0]), args[1]);
                default:
                    // max(|a|, |b|) = (|a + b| + |a - b|) / 2, the form whose smoothing the SPNBO seed uses.
                    Expr sum = Simplify.Call(ScalarFunction.Abs, new Binary(BinaryOp.Add, args[0], args[1]));
                    Expr difference = Simplify.Call(ScalarFunction.Abs, new Binary(BinaryOp.Subtract, args[0], args[1]));
                    return new Binary(BinaryOp.Multiply, new Binary(BinaryOp.Add, sum, difference), new Num(0.5));
            }
        }

        private void RecordNonsmooth(Primitive primitive, IInvocationOperation invocation)
        {
            if (primitive.Smoothness == Smoothness.Kink && invocation.Type?.SpecialType == SpecialType.System_Double)
            {
                RecordNonsmooth(primitive.Function.ToString(), invocation);
                if (ModelShapeReader.RoleOf(method) == LevelRole.Lower && invocation.TargetMethod.ContainingType?.ToDisplayString() == "System.Math")
                {
                    // Info only: Math.Abs/Max/Min work (smoothing applies to them too); Dsl.* states the intent.
                    Report(DiagnosticCatalog.NonsmoothInLowerLevel, invocation.Syntax.GetLocation(), Shorten(invocation.Syntax.ToString()));
                }
            }
        }

        private void RecordNonsmooth(string primitive, IInvocationOperation invocation)
        {
            nonsmooth.Add(new NonsmoothTerm(primitive, LocationText(invocation.Syntax.GetLocation()), Shorten(invocation.Syntax.ToString())));
        }

        /// <summary>file(line,column) of a location, 1-based, the file name without its directory.</summary>
        private static string LocationText(Location syntaxLocation)
        {
            FileLinePositionSpan span = syntaxLocation.GetLineSpan();
            string path = span.Path ?? string.Empty;
            string file = path.Substring(path.LastIndexOfAny(new[] { '/', '\\' }) + 1);
            return file + "(" + (span.StartLinePosition.Line + 1).ToString(CultureInfo.InvariantCulture) + ","
                + (span.StartLinePosition.Character + 1).ToString(CultureInfo.InvariantCulture) + ")";
        }

        private EquatableArray<Expr> LowerArguments(IInvocationOperation invocation, List<Stmt> output) =>
            EquatableArray.From(invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0).Select(a => LowerExpr(a.Value, output)).ToList());

        private Expr RejectCall(IInvocationOperation invocation)
        {
            IMethodSymbol target = invocation.TargetMethod;
            string name = (target.ContainingType == null ? string.Empty : target.ContainingType.Name + ".") + target.Name;
            Report(DiagnosticCatalog.NonDifferentiableCall, invocation.Syntax.GetLocation(), name);
            return new Num(0);
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
