using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Ad;
using BilevelDsl.Generators.Ir;

namespace BilevelDsl.Generators.Emit
{
    /// <summary>
    /// Writes the private methods that hold one function's programs: its value (for generated functions such
    /// as smoothed objectives), gradient, Hessian-vector and fused value + gradient + Hessian-vector programs.
    /// Parameters come first in the function's order, then directions, gradients and products per
    /// differentiable parameter (spans for span parameters, out doubles for scalars).
    /// </summary>
    internal static class ProgramWriter
    {
        public const string ReadOnlySpan = "global::System.ReadOnlySpan<double>";
        public const string Span = "global::System.Span<double>";

        public static string GradientName(Function function, bool isHelper) =>
            isHelper ? IrPrinter.HelperPartialsName(function.Name) : GeneratedNames.Join(function.Name, "Gradient");

        public static string HessianVectorName(Function function) => GeneratedNames.Join(function.Name, "HessianVector");

        public static string FusedName(Function function, bool isHelper) =>
            isHelper ? IrPrinter.HelperTangentName(function.Name) : GeneratedNames.Join(function.Name, "ValueGradientHessianVector");

        /// <summary>Every function's programs, in the order <see cref="ModelDerivation"/> lists them; the smoothed
        /// functions (which the user never wrote) also get their value program.</summary>
        public static void WritePrograms(IndentedWriter writer, DerivedModel model)
        {
            foreach (DerivedFunction derived in model.Programs)
            {
                GenerationCancellation.ThrowIfRequested();
                Function function = derived.Function;
                if (derived.Kind == DerivedFunctionKind.SmoothedLevel)
                {
                    Function exact = model.Levels.First(l => ReferenceEquals(l.Smoothed, function)).Exact!;
                    WriteValue(writer, function, isStatic: false, "Value of the mu-smoothed " + exact.Name + ".");
                }
                else if (derived.Kind == DerivedFunctionKind.SmoothedHelper)
                {
                    WriteValue(writer, function, isStatic: true, "Value of the mu-smoothed helper " + function.Name + ".");
                }

                WriteDerivatives(writer, derived);
            }
        }

        /// <summary>A generated function's value program (the IR printed as it is: it is structured C#).</summary>
        private static void WriteValue(IndentedWriter writer, Function function, bool isStatic, string summary)
        {
            writer.Line();
            writer.Line("/// <summary>" + summary + "</summary>");
            writer.Open("private " + (isStatic ? "static " : string.Empty) + "double " + function.Name + "(" + string.Join(", ", Parameters(function)) + ")");
            Body(function.Body, writer);
            writer.Close();
        }

        /// <summary>The derivative programs; helpers get no separate Hessian-vector method (callers use the fused one).</summary>
        private static void WriteDerivatives(IndentedWriter writer, DerivedFunction derived)
        {
            Function function = derived.Function;
            DerivativePrograms programs = derived.Programs;
            bool isHelper = derived.IsHelper;
            string modifiers = isHelper ? "private static " : "private ";
            List<string> parameters = Parameters(function);
            List<string> gradients = Outputs(function, programs.Gradients);
            List<string> directions = Directions(function, programs.Directions);
            List<string> products = Outputs(function, programs.Products);

            writer.Line();
            writer.Line("/// <summary>Value and gradient of " + function.Name + " by reverse mode (forward sweep, then the adjoint sweep).</summary>");
            writer.Open(modifiers + "double " + GradientName(function, isHelper) + "(" + string.Join(", ", parameters.Concat(gradients)) + ")");
            Body(programs.Gradient.Body, writer);
            writer.Close();
            RowChunkPrinter.WriteMethods(programs.Gradient.Body, writer);

            if (!isHelper)
            {
                writer.Line();
                writer.Line("/// <summary>Joint Hessian of " + function.Name + " times a direction, by tangent mode over the gradient program.</summary>");
                writer.Open(modifiers + "void " + HessianVectorName(function) + "(" + string.Join(", ", parameters.Concat(directions).Concat(products)) + ")");
                Body(programs.HessianVector, writer);
                writer.Close();
                RowChunkPrinter.WriteMethods(programs.HessianVector, writer);
            }

            writer.Line();
            writer.Line("/// <summary>Value, gradient and Hessian-vector product of " + function.Name + " in one pass.</summary>");
            writer.Open(modifiers + "double " + FusedName(function, isHelper) + "(" + string.Join(", ", parameters.Concat(directions).Concat(gradients).Concat(products)) + ")");
            Body(programs.Fused, writer);
            writer.Close();
            RowChunkPrinter.WriteMethods(programs.Fused, writer);
        }

        /// <summary>A program body; with computed vectors, inside a workspace scope that gives their memory back.</summary>
        private static void Body(Block body, IndentedWriter writer)
        {
            if (!VectorMemory.Uses(body))
            {
                IrPrinter.Statements(body, writer);
                return;
            }

            writer.Line("global::BilevelDsl.Kernels.KernelWorkspace " + VectorMemory.Workspace + " = global::BilevelDsl.Kernels.KernelWorkspace.Current;");
            writer.Line("long " + VectorMemory.Mark + " = " + VectorMemory.Workspace + ".Mark;");
            writer.Open("try");
            foreach (string line in VectorMemory.Declarations(body))
            {
                writer.Line(line);
            }

            IrPrinter.Statements(body, writer);
            writer.Close();
            writer.Open("finally");
            writer.Line(VectorMemory.Workspace + ".Release(" + VectorMemory.Mark + ");");
            writer.Close();
        }

        private static List<string> Parameters(Function function) =>
            function.Parameters.Select(p => p.Kind switch
            {
                ParameterKind.Span => ReadOnlySpan + " " + NameTable.Escape(p.Name),
                ParameterKind.Int => "int " + NameTable.Escape(p.Name),
                _ => "double " + NameTable.Escape(p.Name),
            }).ToList();

        private static List<string> Outputs(Function function, IReadOnlyList<string> names) =>
            function.Parameters.Select((p, i) => p.Kind switch
            {
                ParameterKind.Span => Span + " " + names[i],
                ParameterKind.Scalar => "out double " + names[i],
                _ => string.Empty,
            }).Where(t => t.Length > 0).ToList();

        private static List<string> Directions(Function function, IReadOnlyList<string> names) =>
            function.Parameters.Select((p, i) => p.Kind switch
            {
                ParameterKind.Span => ReadOnlySpan + " " + names[i],
                ParameterKind.Scalar => "double " + names[i],
                _ => string.Empty,
            }).Where(t => t.Length > 0).ToList();
    }
}
