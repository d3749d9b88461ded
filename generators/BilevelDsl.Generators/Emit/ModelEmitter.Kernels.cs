using System;
using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Ad;
using BilevelDsl.Generators.Ir;
using BilevelDsl.Generators.Pipeline;
using static BilevelDsl.Generators.Emit.ProgramWriter;

namespace BilevelDsl.Generators.Emit
{
    /// <summary>The kernels of IBilevelKernels: value, gradient, Hessian-vector and fused kernels per level (exact
    /// and smoothed), the smoothing entry point, and the [Gradient] methods the user declared.</summary>
    internal static partial class ModelEmitter
    {
        private static void WriteLevelKernels(IndentedWriter writer, DerivedModel model, DerivedLevel level)
        {
            string role = level.Role;
            KernelHeader(writer, model, "double " + Kernels + "." + role + "Value(" + ReadOnlySpan + " x, " + ReadOnlySpan + " y)");
            if (level.Spec == null || model.Spec.Rejection != null)
            {
                Throw(writer, level.Rejection);
            }
            else
            {
                string callee = (level.Spec.IsStatic ? string.Empty : "this.") + NameTable.Escape(level.Spec.MethodName);
                WriteCall(writer, model.Kinds, KernelKind.Value, callee, muArgument: null);
            }

            writer.Close();
            WriteDerivativeKernels(writer, model, Kernels + "." + role, level.Exact, level.Rejection, takesMu: false, muArgument: null);
        }

        /// <summary>Gradient, Hessian-vector and fused kernels of one program family (exact or smoothed).</summary>
        private static void WriteDerivativeKernels(IndentedWriter writer, DerivedModel model, string prefix, Function? function, string? rejection, bool takesMu, string? muArgument)
        {
            string mu = takesMu ? "double mu, " : string.Empty;
            foreach (KernelKind kind in new[] { KernelKind.Gradient, KernelKind.HessianVector, KernelKind.Fused })
            {
                KernelHeader(writer, model, Signature(kind, prefix, mu));
                if (function == null)
                {
                    Throw(writer, rejection ?? "BDSL0002: the model has no valid level");
                }
                else
                {
                    WriteCall(writer, model.Kinds, kind, "this." + ProgramName(kind, function), muArgument);
                }

                writer.Close();
            }
        }

        private static string ProgramName(KernelKind kind, Function function) => kind switch
        {
            KernelKind.Value => function.Name,
            KernelKind.Gradient => GradientName(function, isHelper: false),
            KernelKind.HessianVector => HessianVectorName(function),
            _ => FusedName(function, isHelper: false),
        };

        private static string Signature(KernelKind kind, string prefix, string leading) => kind switch
        {
            KernelKind.Value => "double " + prefix + "Value(" + leading + ReadOnlySpan + " x, " + ReadOnlySpan + " y)",
            KernelKind.Gradient => "double " + prefix + "Gradient(" + leading + ReadOnlySpan + " x, " + ReadOnlySpan + " y, " + Span + " gradX, " + Span + " gradY)",
            KernelKind.HessianVector => "void " + prefix + "HessianVector(" + leading + ReadOnlySpan + " x, " + ReadOnlySpan + " y, " + ReadOnlySpan + " vx, " + ReadOnlySpan + " vy, " + Span + " hx, " + Span + " hy)",
            _ => "double " + prefix + "ValueGradientHessianVector(" + leading + ReadOnlySpan + " x, " + ReadOnlySpan + " y, " + ReadOnlySpan + " vx, " + ReadOnlySpan + " vy, " + Span + " gradX, " + Span + " gradY, " + Span + " hx, " + Span + " hy)",
        };

        /// <summary>
        /// The body of a kernel: length checks, then the call. A double variable takes spans of length one
        /// (its value, direction, gradient and product are adapted to the program's doubles); a span variable's
        /// spans pass through after checking that they are as long as the variable.
        /// </summary>
        private static void WriteCall(IndentedWriter writer, VariableKinds kinds, KernelKind kind, string callee, string? muArgument)
        {
            string[] spans = kind switch
            {
                KernelKind.Value => new[] { "x", "y" },
                KernelKind.Gradient => new[] { "x", "y", "gradX", "gradY" },
                KernelKind.HessianVector => new[] { "x", "y", "vx", "vy", "hx", "hy" },
                _ => new[] { "x", "y", "vx", "vy", "gradX", "gradY", "hx", "hy" },
            };
            int inputs = kind == KernelKind.Gradient ? 2 : 4;
            bool IsScalar(string span) => kinds.Of(span.EndsWith("X", StringComparison.Ordinal) || span.EndsWith("x", StringComparison.Ordinal)) == ParameterKind.Scalar;
            foreach (string span in spans)
            {
                string of = span.EndsWith("X", StringComparison.Ordinal) || span.EndsWith("x", StringComparison.Ordinal) ? "x" : "y";
                if (IsScalar(span))
                {
                    writer.Line(Support + ".RequireLength(" + span + ".Length, 1, " + Quote(span) + ");");
                }
                else if (span != of)
                {
                    writer.Line(Support + ".RequireSameLength(" + of + ".Length, " + span + ".Length, " + Quote(of) + ", " + Quote(span) + ");");
                }
            }

            var arguments = new List<string>();
            var copies = new List<string>();
            for (int i = 0; i < spans.Length; i++)
            {
                string span = spans[i];
                bool output = i >= inputs && kind != KernelKind.Value;
                if (!IsScalar(span))
                {
                    arguments.Add(span);
                }
                else if (!output)
                {
                    arguments.Add(span + "[0]");
                }
                else
                {
                    arguments.Add("out double " + span + "0");
                    copies.Add(span + "[0] = " + span + "0;");
                }
            }

            string mu = muArgument == null ? string.Empty : ", " + muArgument;
            string call = callee + "(" + arguments[0] + ", " + arguments[1] + mu + string.Concat(arguments.Skip(2).Select(a => ", " + a)) + ")";
            if (kind == KernelKind.Value || copies.Count == 0)
            {
                writer.Line((kind == KernelKind.HessianVector ? string.Empty : "return ") + call + ";");
                return;
            }

            writer.Line((kind == KernelKind.HessianVector ? string.Empty : "double value = ") + call + ";");
            foreach (string copy in copies)
            {
                writer.Line(copy);
            }

            if (kind != KernelKind.HessianVector)
            {
                writer.Line("return value;");
            }
        }

        private static void WriteSmoothing(IndentedWriter writer, DerivedModel model)
        {
            KernelHeader(writer, model, Kernels + " " + Kernels + ".WithSmoothing(double mu)");
            writer.Line("global::BilevelDsl.Kernels.SmoothedKernels.RequireValidMu(mu);");
            writer.Line(model.IsNonsmooth
                ? "return mu == 0.0 ? this : new global::BilevelDsl.Kernels.SmoothedKernels(this, this, mu);"
                : "return this; // no nonsmooth term: every smoothed kernel is the exact one");
            writer.Close();
            if (!model.IsNonsmooth)
            {
                return;
            }

            foreach (DerivedLevel level in model.Levels)
            {
                string prefix = SmoothedSource + ".Smoothed" + level.Role;
                Header(writer, Signature(KernelKind.Value, prefix, "double mu, "));
                if (level.Smoothed == null)
                {
                    if (level.Exact == null)
                    {
                        Throw(writer, level.Rejection);
                    }
                    else
                    {
                        writer.Line("return ((" + Kernels + ")this)." + level.Role + "Value(x, y);");
                    }
                }
                else
                {
                    WriteCall(writer, model.Kinds, KernelKind.Value, "this." + level.Smoothed.Name, "mu");
                }

                writer.Close();
                Function? function = level.Smoothed ?? level.Exact;
                WriteDerivativeKernels(writer, model, prefix, function, level.Rejection, takesMu: true, level.Smoothed == null ? null : "mu");
            }
        }

        private static void WriteRequestedKernel(IndentedWriter writer, DerivedModel model, KernelSpec kernel)
        {
            string[] p = kernel.ParameterNames.Select(NameTable.Escape).ToArray();
            VariableKinds kinds = model.Kinds;
            string Declared(int i) => kinds.Of(i % 2 == 0) == ParameterKind.Scalar
                ? (i < 2 ? "double " : "out double ") + p[i]
                : (i < 2 ? ReadOnlySpan : Span) + " " + p[i];
            Header(writer, kernel.Modifiers + " double " + NameTable.Escape(kernel.MethodName) + "(" + string.Join(", ", Enumerable.Range(0, 4).Select(Declared)) + ")");
            DerivedLevel level = model.Levels[kernel.Level == LevelRole.Upper ? 0 : 1];
            if (level.Exact == null)
            {
                Throw(writer, level.Rejection);
            }
            else
            {
                for (int i = 0; i < 2; i++)
                {
                    if (kinds.Of(i == 0) == ParameterKind.Span)
                    {
                        writer.Line(Support + ".RequireSameLength(" + p[i] + ".Length, " + p[i + 2] + ".Length, " + Quote(p[i]) + ", " + Quote(p[i + 2]) + ");");
                    }
                }

                string Argument(int i) => i >= 2 && kinds.Of(i % 2 == 0) == ParameterKind.Scalar ? "out " + p[i] : p[i];
                writer.Line("return this." + GradientName(level.Exact, isHelper: false) + "(" + string.Join(", ", Enumerable.Range(0, 4).Select(Argument)) + ");");
            }

            writer.Close();
        }
    }
}
