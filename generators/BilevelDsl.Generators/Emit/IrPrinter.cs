using System;
using System.Globalization;
using System.Linq;
using BilevelDsl.Generators.Ir;

namespace BilevelDsl.Generators.Emit
{
    /// <summary>Prints IR as C#: fully qualified, invariant-culture round-trip literals, minimal parentheses.</summary>
    internal static class IrPrinter
    {
        public const string Math = "global::System.Math";
        public const string Dsl = "global::BilevelDsl.Dsl";
        public const string Support = "global::BilevelDsl.Kernels.KernelSupport";
        public const string Span = "global::System.Span<double>";

        public static void Statements(Block block, IndentedWriter writer)
        {
            foreach (Stmt statement in block.Statements)
            {
                GenerationCancellation.ThrowIfRequested();
                Statement(statement, writer);
            }
        }

        public static void Statement(Stmt statement, IndentedWriter writer)
        {
            switch (statement)
            {
                case Assign a:
                    writer.Line((a.Declare ? TypeName(a.Type) + " " : string.Empty) + Name(a.Target) + " = " + Expression(a.Value) + ";");
                    break;
                case Declare d:
                    writer.Line(TypeName(d.Type) + " " + Name(d.Name) + " = " + Zero(d.Type) + ";");
                    break;
                case AddTo add:
                    writer.Line(add.Value is Unary { Op: UnaryOp.Negate } negated
                        ? Name(add.Target) + " -= " + Expression(negated.Operand) + ";"
                        : Name(add.Target) + " += " + Expression(add.Value) + ";");
                    break;
                case AddToElement element:
                    string target = Vector(element.Vector) + "[" + Expression(element.Index) + "]";
                    writer.Line(element.Value is Unary { Op: UnaryOp.Negate } negatedElement
                        ? target + " -= " + Expression(negatedElement.Operand) + ";"
                        : target + " += " + Expression(element.Value) + ";");
                    break;
                case AddVector vector:
                    writer.Line(VectorUpdate(vector) + ";");
                    break;
                case ClearVector clear:
                    writer.Line(Vector(clear.Vector) + ".Clear();");
                    break;
                case VecLocal local when local.Store != null:
                    // Memory is declared at the top of the program (VectorMemory); here the vector is pointed at
                    // its slot of the store, and cleared unless the stored values are wanted.
                    string slotLength = Expression(local.Length, Precedence.Multiplicative + 1);
                    writer.Line(Name(local.Name) + " = " + Name(local.Store) + ".Slice(" + Expression(local.Slot!, Precedence.Multiplicative) + " * " + slotLength + ", " + Expression(local.Length) + ");");
                    if (!local.Keep)
                    {
                        writer.Line(Name(local.Name) + ".Clear();");
                    }

                    break;
                case VecLocal local:
                    writer.Line(Name(local.Name) + ".Clear();");
                    break;
                case SpanAlias alias:
                    writer.Line(Name(alias.Name) + " = " + Vector(alias.Source) + ";");
                    break;
                case RequireLength require:
                    writer.Line(Support + ".RequireLength(" + Vector(require.Vector) + ".Length, " + Expression(require.Expected) + ", " + Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(require.What, quote: true) + ");");
                    break;
                case VecStore store:
                    writer.Line(Span + " " + Name(store.Name) + " = " + VectorMemory.Workspace + ".Take(" + Expression(store.Length) + ");");
                    break;
                case MatVecUpdate product:
                    writer.Line(Support + (product.Transposed ? ".AddMatTVec(" : ".AddMatVec(") + Vector(product.Target) + ", " + Expression(product.Scale) + ", " + Matrix(product.Matrix) + ", " + Vector(product.Vector) + ");");
                    break;
                case OuterUpdate outer:
                    writer.Line(Support + ".AddOuter(" + Name(outer.Target.Name) + ".Slice(" + Expression(outer.Target.Offset!) + ", " + Expression(outer.Target.Rows!, Precedence.Multiplicative) + " * " + Expression(outer.Target.Columns!, Precedence.Multiplicative + 1) + "), "
                        + Expression(outer.Target.Rows!) + ", " + Expression(outer.Target.Columns!) + ", " + Expression(outer.Scale) + ", " + Vector(outer.Left) + ", " + Vector(outer.Right) + ");");
                    break;
                case HelperPartials partials:
                    string args = string.Join(", ", partials.Args.Select(Expression).Concat(partials.Outputs.Select(o => "out double " + Name(o))));
                    writer.Line(HelperPartialsName(partials.Helper) + "(" + args + ");");
                    break;
                case HelperPartialsTangent tangent:
                    string tangentArgs = string.Join(", ", tangent.Args.Select(Expression)
                        .Concat(tangent.ArgTangents.Select(a => Expression(a)))
                        .Concat(tangent.Outputs.Select(o => "out double " + Name(o)))
                        .Concat(tangent.OutputTangents.Select(o => "out double " + Name(o))));
                    writer.Line(HelperTangentName(tangent.Helper) + "(" + tangentArgs + ");");
                    break;
                case If branch:
                    If(branch, writer);
                    break;
                case For loop:
                    string index = Name(loop.Index);
                    writer.Open("for (int " + index + " = " + Expression(loop.From) + "; " + index + " < " + Expression(loop.To, Precedence.Relational + 1) + "; " + index + "++)");
                    Statements(loop.Body, writer);
                    writer.Close();
                    break;
                case Return r:
                    writer.Line("return " + Expression(r.Value) + ";");
                    break;
                case RowBlockLoop blocked:
                    RowBlockPrinter.Print(blocked, writer);
                    break;
                case RowChunkLoop chunked:
                    RowChunkPrinter.PrintCall(chunked, writer);
                    break;
                default:
                    throw new InvalidOperationException("cannot print " + statement.GetType().Name);
            }
        }

        public static string HelperPartialsName(string helper) => GeneratedNames.Join(helper, "Partials");

        public static string HelperTangentName(string helper) => GeneratedNames.Join(helper, "PartialsTangent");

        private static void If(If branch, IndentedWriter writer)
        {
            if (branch.Then.Statements.Count == 0)
            {
                writer.Open("if (!" + Expression(branch.Condition, Precedence.Unary) + ")");
                Statements(branch.Else, writer);
                writer.Close();
                return;
            }

            writer.Open("if (" + Expression(branch.Condition) + ")");
            Statements(branch.Then, writer);
            writer.Close();
            if (branch.Else.Statements.Count > 0)
            {
                writer.Open("else");
                Statements(branch.Else, writer);
                writer.Close();
            }
        }

        private static string VectorUpdate(AddVector update)
        {
            string target = Vector(update.Target);
            switch (update.Source)
            {
                case VecScaled scaled:
                    Expr scale = Simplify.Mul(new Num(scaled.Factor), update.Scale);
                    return Support + ".AddScaled(" + target + ", " + Expression(scale) + ", " + Vector(scaled.Vector) + ")";
                case VecOnes:
                    return Support + ".AddScalar(" + target + ", " + Expression(update.Scale) + ")";
                case VecExpShifted shifted:
                    return Support + ".AddLogSumExpAdjoint(" + target + ", " + Expression(update.Scale) + ", " + Vector(shifted.Vector) + ", " + Expression(shifted.Shift) + ")";
                case VecSign sign:
                    return Support + ".AddSign(" + target + ", " + Expression(update.Scale) + ", " + Vector(sign.Vector) + ")";
                case VecSmoothSign smooth:
                    return Support + ".AddSmoothSign(" + target + ", " + Expression(update.Scale) + ", " + Vector(smooth.Vector) + ", " + Expression(smooth.Mu) + ")";
                case VecSmoothSignProduct smoothProduct:
                    return Support + ".AddSmoothSignProduct(" + target + ", " + Expression(update.Scale) + ", " + Vector(smoothProduct.Vector) + ", " + Expression(smoothProduct.Mu) + ", " + Vector(smoothProduct.Tangent) + ")";
                case VecExpShiftedProduct product:
                    return Support + ".AddExpShiftedProduct(" + target + ", " + Expression(update.Scale) + ", " + Vector(product.Vector) + ", " + Expression(product.Shift) + ", " + Vector(product.Tangent) + ")";
                case VecSoftmax softmax:
                    return Support + ".AddSoftmax(" + target + ", " + Expression(update.Scale) + ", " + Vector(softmax.Vector) + ")";
                case VecSoftmaxJacobian jacobian:
                    return Support + ".AddSoftmaxJacobian(" + target + ", " + Expression(update.Scale) + ", " + Vector(jacobian.Vector) + ", " + Vector(jacobian.U) + ")";
                case VecSoftmaxJacobianTangent jacobianTangent:
                    return Support + ".AddSoftmaxJacobianTangent(" + target + ", " + Expression(update.Scale) + ", " + Vector(jacobianTangent.Vector) + ", " + Vector(jacobianTangent.Direction) + ", " + Vector(jacobianTangent.U) + ")";
                default:
                    throw new InvalidOperationException("cannot print " + update.Source.GetType().Name);
            }
        }

        public static string Vector(VecRef vector) =>
            vector.Row != null ? Name(vector.Name) + ".Row(" + Expression(vector.Row) + ")"
            : vector.Offset != null ? Name(vector.Name) + ".Slice(" + Expression(vector.Offset) + ", " + Expression(vector.Length!) + ")"
            : Name(vector.Name);

        /// <summary>A matrix operand as a MatrixView argument (a data Matrix converts implicitly).</summary>
        public static string Matrix(MatRef matrix) =>
            !matrix.IsView ? Name(matrix.Name)
            : "new global::BilevelDsl.MatrixView(" + Name(matrix.Name) + ".Slice(" + Expression(matrix.Offset!) + ", " + Expression(matrix.Rows!, Precedence.Multiplicative) + " * " + Expression(matrix.Columns!, Precedence.Multiplicative + 1) + "), "
                + Expression(matrix.Rows!) + ", " + Expression(matrix.Columns!) + ")";

        public static string Name(string name) =>
            name.IndexOf('.') >= 0 || name.StartsWith("@", StringComparison.Ordinal) ? name : NameTable.Escape(name);

        public static string TypeName(ScalarType type) => type switch
        {
            ScalarType.Double => "double",
            ScalarType.Int => "int",
            _ => "bool",
        };

        private static string Zero(ScalarType type) => type switch
        {
            ScalarType.Double => "0.0",
            ScalarType.Int => "0",
            _ => "false",
        };

        private static class Precedence
        {
            public const int Conditional = 10;
            public const int Or = 20;
            public const int And = 30;
            public const int Equality = 40;
            public const int Relational = 50;
            public const int Additive = 60;
            public const int Multiplicative = 70;
            public const int Unary = 80;
            public const int Primary = 90;
        }

        /// <summary>Prints an expression; parenthesised when its precedence is below <paramref name="minimum"/>.</summary>
        public static string Expression(Expr expr, int minimum = 0)
        {
            (string text, int precedence) = Print(expr);
            return precedence < minimum ? "(" + text + ")" : text;
        }

        private static (string Text, int Precedence) Print(Expr expr)
        {
            switch (expr)
            {
                case Num n:
                    string literal = Literal(n.Value);
                    return (literal, literal.StartsWith("-", StringComparison.Ordinal) ? Precedence.Unary : Precedence.Primary);
                case IntNum i:
                    return (i.Value.ToString(CultureInfo.InvariantCulture), i.Value < 0 ? Precedence.Unary : Precedence.Primary);
                case BoolConst b:
                    return (b.Value ? "true" : "false", Precedence.Primary);
                case Var v:
                    return (Name(v.Name), Precedence.Primary);
                case Elem e when e.Vector.Row != null:
                    return (Name(e.Vector.Name) + "[" + Expression(e.Vector.Row) + ", " + Expression(e.Index) + "]", Precedence.Primary);
                case Elem e when e.Vector.Offset != null:
                    return (Name(e.Vector.Name) + "[" + Expression(new Binary(BinaryOp.Add, e.Vector.Offset, e.Index)) + "]", Precedence.Primary);
                case Elem e:
                    return (Name(e.Vector.Name) + "[" + Expression(e.Index) + "]", Precedence.Primary);
                case MatElem m:
                    return (Name(m.Matrix) + "[" + Expression(m.Row) + ", " + Expression(m.Column) + "]", Precedence.Primary);
                case Dim d:
                    return (DimText(d), Precedence.Primary);
                case Unary u:
                    return PrintUnary(u);
                case Binary b:
                    return PrintBinary(b);
                case Call c:
                    return (Primitives.Of(c.Function).Printed + "(" + string.Join(", ", c.Args.Select(a => Expression(a))) + ")", Precedence.Primary);
                case HelperCall h:
                    return (Name(HelperKeys.MethodName(h.Helper)) + "(" + string.Join(", ", h.Args.Select(a => Expression(a))) + ")", Precedence.Primary);
                case VecCall vc:
                    string mu = vc.Mu == null ? string.Empty : ", " + Expression(vc.Mu);
                    return (Primitives.Of(vc.Function).Printed + "(" + string.Join(", ", vc.Args.Select(Vector)) + mu + ")", Precedence.Primary);
                case VecTermDot d:
                    return PrintTermDot(d);
                case Select s:
                    return (Expression(s.Condition, Precedence.Or) + " ? " + Expression(s.WhenTrue, Precedence.Conditional + 1) + " : " + Expression(s.WhenFalse, Precedence.Conditional), Precedence.Conditional);
                default:
                    throw new InvalidOperationException("cannot print " + expr.GetType().Name);
            }
        }

        private static (string, int) PrintTermDot(VecTermDot d)
        {
            switch (d.Term)
            {
                case VecScaled scaled:
                    return Print(Simplify.Mul(new Num(scaled.Factor), new VecCall(VectorFunction.Dot, EquatableArray.Of(scaled.Vector, d.Vector))));
                case VecOnes:
                    return (Dsl + ".Sum(" + Vector(d.Vector) + ")", Precedence.Primary);
                case VecSign sign:
                    return (Support + ".SignDot(" + Vector(sign.Vector) + ", " + Vector(d.Vector) + ")", Precedence.Primary);
                case VecSmoothSign smooth:
                    return (Support + ".SmoothSignDot(" + Vector(smooth.Vector) + ", " + Expression(smooth.Mu) + ", " + Vector(d.Vector) + ")", Precedence.Primary);
                case VecExpShifted shifted:
                    return (Support + ".ExpShiftedDot(" + Vector(shifted.Vector) + ", " + Expression(shifted.Shift) + ", " + Vector(d.Vector) + ")", Precedence.Primary);
                case VecSoftmax softmax:
                    return (Support + ".SoftmaxDot(" + Vector(softmax.Vector) + ", " + Vector(d.Vector) + ")", Precedence.Primary);
                default:
                    throw new InvalidOperationException("cannot print the inner product with " + d.Term.GetType().Name);
            }
        }

        private static string DimText(Dim d)
        {
            if (d.Vector.Length != null)
            {
                return Expression(d.Vector.Length, Precedence.Primary);
            }

            if (d.Vector.Row != null)
            {
                return Name(d.Vector.Name) + ".Columns"; // a matrix row is as long as the matrix is wide
            }

            return Name(d.Vector.Name) + "." + d.Kind;
        }

        private static (string, int) PrintUnary(Unary u)
        {
            switch (u.Op)
            {
                case UnaryOp.Negate:
                    string operand = Expression(u.Operand, Precedence.Unary);
                    return ("-" + (operand.StartsWith("-", StringComparison.Ordinal) ? "(" + operand + ")" : operand), Precedence.Unary);
                case UnaryOp.Not:
                    return ("!" + Expression(u.Operand, Precedence.Unary), Precedence.Unary);
                default:
                    return ("(double)" + Expression(u.Operand, Precedence.Primary), Precedence.Unary);
            }
        }

        private static (string, int) PrintBinary(Binary b)
        {
            (string symbol, int precedence) = b.Op switch
            {
                BinaryOp.Add => ("+", Precedence.Additive),
                BinaryOp.Subtract => ("-", Precedence.Additive),
                BinaryOp.Multiply => ("*", Precedence.Multiplicative),
                BinaryOp.Divide => ("/", Precedence.Multiplicative),
                BinaryOp.Modulo => ("%", Precedence.Multiplicative),
                BinaryOp.Less => ("<", Precedence.Relational),
                BinaryOp.LessOrEqual => ("<=", Precedence.Relational),
                BinaryOp.Greater => (">", Precedence.Relational),
                BinaryOp.GreaterOrEqual => (">=", Precedence.Relational),
                BinaryOp.Equal => ("==", Precedence.Equality),
                BinaryOp.NotEqual => ("!=", Precedence.Equality),
                BinaryOp.And => ("&&", Precedence.And),
                _ => ("||", Precedence.Or),
            };

            // Left-associative; the right operand is parenthesised at equal precedence so that floating-point
            // evaluation order is exactly the IR's.
            return (Expression(b.Left, precedence) + " " + symbol + " " + Expression(b.Right, precedence + 1), precedence);
        }

        /// <summary>A round-trip, culture-invariant double literal that C# reads as a double.</summary>
        public static string Literal(double value)
        {
            if (double.IsNaN(value))
            {
                return "double.NaN";
            }

            if (double.IsPositiveInfinity(value))
            {
                return "double.PositiveInfinity";
            }

            if (double.IsNegativeInfinity(value))
            {
                return "double.NegativeInfinity";
            }

            string text = value.ToString("R", CultureInfo.InvariantCulture);
            return text.IndexOfAny(new[] { '.', 'E', 'e' }) >= 0 ? text : text + ".0";
        }
    }
}
