using BilevelDsl.Generators.Ad;
using BilevelDsl.Generators.Ir;
using BilevelDsl.Generators.Pipeline;
using static BilevelDsl.Generators.Emit.ProgramWriter;

namespace BilevelDsl.Generators.Emit
{
    /// <summary>Projections onto the declared domains and the lower-level constraint kernels.</summary>
    internal static partial class ModelEmitter
    {
        private static void WriteProjection(IndentedWriter writer, DerivedModel model, string role, DomainSpec domain)
        {
            string variable = role == "Upper" ? "x" : "y";
            KernelHeader(writer, model, "void " + Kernels + ".Project" + role + "(" + Span + " " + variable + ")");
            if (domain.BoxLower is double lower && domain.BoxUpper is double upper)
            {
                writer.Line("global::BilevelDsl.Numerics.Projections.Box(" + variable + ", " + IrPrinter.Literal(lower) + ", " + IrPrinter.Literal(upper) + ");");
            }
            else if (domain.Projection != null)
            {
                writer.Line((domain.ProjectionIsStatic ? string.Empty : "this.") + NameTable.Escape(domain.Projection) + "(" + variable + ");");
            }
            else
            {
                writer.Line("// No domain declared: the projection is the identity.");
            }

            writer.Close();
        }

        private static void WriteConstraints(IndentedWriter writer, DerivedModel model)
        {
            int count = model.Spec.Constraints.Count;
            writer.Line();
            writer.Line("int " + Kernels + ".LowerConstraintCount => " + count.ToString(System.Globalization.CultureInfo.InvariantCulture) + ";");
            foreach (KernelKind kind in new[] { KernelKind.Value, KernelKind.Gradient, KernelKind.HessianVector })
            {
                KernelHeader(writer, model, Signature(kind, Kernels + ".LowerConstraint", "int j, "));
                if (count > 0)
                {
                    writer.Open("switch (j)");
                    for (int j = 0; j < count; j++)
                    {
                        LevelSpec constraint = model.Spec.Constraints[j];
                        writer.Open("case " + j.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":");
                        if (constraint.Body == null || model.Spec.Rejection != null)
                        {
                            Throw(writer, model.Spec.Rejection ?? constraint.Rejection ?? "BDSL0017: invalid constraint");
                        }
                        else
                        {
                            string callee = kind == KernelKind.Value
                                ? (constraint.IsStatic ? string.Empty : "this.") + NameTable.Escape(constraint.MethodName)
                                : "this." + ProgramName(kind, constraint.Body);
                            WriteCall(writer, model.Kinds, kind, callee, muArgument: null);
                            if (kind == KernelKind.HessianVector)
                            {
                                writer.Line("return;");
                            }
                        }

                        writer.Close();
                    }

                    writer.Close();
                }

                writer.Line("throw new global::System.ArgumentOutOfRangeException(nameof(j), j, " + Quote("The model has " + count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " lower-level constraints.") + ");");
                writer.Close();
            }
        }
    }
}
