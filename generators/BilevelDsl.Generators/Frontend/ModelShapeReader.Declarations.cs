using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Diagnostics;
using BilevelDsl.Generators.Ir;
using BilevelDsl.Generators.Pipeline;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BilevelDsl.Generators.Frontend
{
    // The declarations beside the two levels: [Differentiable] helpers, [Gradient] kernel requests, the domains
    // (box attributes, projections) and [LowerConstraint] methods.
    internal static partial class ModelShapeReader
    {
        /// <summary>Box attributes on the class and [..Projection] methods; at most one declaration per variable.</summary>
        private static void ReadDomains(ModelShape shape)
        {
            ReadBox(shape, UpperBoundsAttribute, shape.UpperDomain);
            ReadBox(shape, LowerBoundsAttribute, shape.LowerDomain);
            foreach (IMethodSymbol method in shape.Type.GetMembers().OfType<IMethodSymbol>())
            {
                bool upper = HasAttribute(method, UpperProjectionAttribute);
                bool lower = HasAttribute(method, LowerProjectionAttribute);
                if (!upper && !lower)
                {
                    continue;
                }

                DomainDeclaration domain = upper ? shape.UpperDomain : shape.LowerDomain;
                string? problem = null;
                if (method.ReturnsVoid == false || method.Parameters.Length != 1 || method.Parameters[0].RefKind != RefKind.None
                    || !IsSpanOfDouble(method.Parameters[0].Type) || method.IsGenericMethod)
                {
                    problem = "must have the signature 'void Name(Span<double> v)'";
                }
                else if (domain.Projection != null || domain.BoxLower != null)
                {
                    problem = "declares a second domain for the " + (upper ? "upper" : "lower") + " variable; declare bounds or one projection";
                }

                if (problem != null)
                {
                    shape.Diagnostics.Add(Diagnostic.Create(DiagnosticCatalog.BadDomainOrConstraint, LocationOf(method), method.Name, problem));
                }
                else
                {
                    domain.Projection = method;
                }
            }
        }

        private static void ReadBox(ModelShape shape, string attributeName, DomainDeclaration domain)
        {
            AttributeData? attribute = shape.Type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == attributeName);
            if (attribute == null || attribute.ConstructorArguments.Length != 2)
            {
                return;
            }

            double lower = System.Convert.ToDouble(attribute.ConstructorArguments[0].Value ?? double.NaN, System.Globalization.CultureInfo.InvariantCulture);
            double upper = System.Convert.ToDouble(attribute.ConstructorArguments[1].Value ?? double.NaN, System.Globalization.CultureInfo.InvariantCulture);
            if (!(lower <= upper))
            {
                Location location = attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? LocationOf(shape.Type);
                shape.Diagnostics.Add(Diagnostic.Create(DiagnosticCatalog.BadDomainOrConstraint, location, attributeName.Substring("BilevelDsl.".Length), "declares an empty box: the lower bound must not exceed the upper bound (and neither may be NaN)"));
                return;
            }

            domain.BoxLower = lower;
            domain.BoxUpper = upper;
        }

        private static void ReadConstraints(ModelShape shape)
        {
            foreach (IMethodSymbol method in shape.Type.GetMembers().OfType<IMethodSymbol>())
            {
                if (!HasAttribute(method, ConstraintAttribute))
                {
                    continue;
                }

                var diagnostics = new List<Diagnostic>();
                VariableKinds? kind = CheckLevelSignature(method, diagnostics);
                string? problem = kind == null
                    ? "must have the signature of the level methods: 'double Name(x, y)' with x and y each double or ReadOnlySpan<double>"
                    : shape.Kinds != null && kind != shape.Kinds
                        ? "must use the same parameter types as the level methods"
                        : null;
                if (problem != null)
                {
                    shape.Diagnostics.Add(Diagnostic.Create(DiagnosticCatalog.BadDomainOrConstraint, LocationOf(method), method.Name, problem));
                }
                else
                {
                    shape.Constraints.Add(method);
                }
            }
        }

        public static bool CheckHelper(IMethodSymbol method, List<Diagnostic> diagnostics)
        {
            string? problem = null;
            if (!method.IsStatic)
            {
                problem = "must be static";
            }
            else if (method.ReturnType.SpecialType != SpecialType.System_Double)
            {
                problem = "must return double";
            }
            else if (method.IsGenericMethod)
            {
                problem = "must not be generic";
            }
            else if (method.Parameters.Any(p => p.RefKind != RefKind.None
                || (p.Type.SpecialType != SpecialType.System_Double && p.Type.SpecialType != SpecialType.System_Int32)))
            {
                problem = "must take only double and int parameters, passed by value";
            }
            else if (method.ReturnsByRef || method.ReturnsByRefReadonly)
            {
                problem = "must return double by value";
            }
            else if ((method.PartialImplementationPart ?? method).DeclaringSyntaxReferences.Length == 0
                || !((method.PartialImplementationPart ?? method).DeclaringSyntaxReferences[0].GetSyntax() is MethodDeclarationSyntax declaration)
                || (declaration.Body == null && declaration.ExpressionBody == null))
            {
                problem = "must have a body in this project";
            }

            if (problem != null)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticCatalog.BadHelper, LocationOf(method), method.Name, problem));
                return false;
            }

            return true;
        }

        private static void ReadKernelRequests(ModelShape shape)
        {
            foreach (IMethodSymbol method in shape.Type.GetMembers().OfType<IMethodSymbol>())
            {
                AttributeData? attribute = method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == GradientAttribute);
                if (attribute == null)
                {
                    continue;
                }

                string? target = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
                LevelRole? level = null;
                if (shape.Upper != null && target == shape.Upper.Name)
                {
                    level = LevelRole.Upper;
                }
                else if (shape.Lower != null && target == shape.Lower.Name)
                {
                    level = LevelRole.Lower;
                }

                string? problem = null;
                if (level == null)
                {
                    problem = "names '" + (target ?? "(null)") + "', which is not the [UpperLevel] or [LowerLevel] method of this model";
                }
                else if (method.IsStatic)
                {
                    problem = "must be an instance method (the kernels read the model's data)";
                }
                else if (!method.IsPartialDefinition || method.PartialImplementationPart != null && !IsGeneratedImplementation(method))
                {
                    problem = "must be a partial method declaration without a body, for the generator to implement";
                }
                else if (shape.Kinds is VariableKinds kind && !HasGradientSignature(method, kind))
                {
                    problem = "must have the signature 'double Name(" + Declared(kind.X, "x", output: false) + ", " + Declared(kind.Y, "y", output: false) + ", "
                        + Declared(kind.X, "gradX", output: true) + ", " + Declared(kind.Y, "gradY", output: true) + ")'";
                }

                if (problem != null)
                {
                    Diagnostic diagnostic = Diagnostic.Create(DiagnosticCatalog.BadKernelRequest, LocationOf(method), method.Name, problem);
                    shape.Diagnostics.Add(diagnostic);
                    if (method.IsPartialDefinition && method.PartialImplementationPart == null && !method.IsGenericMethod)
                    {
                        shape.InvalidKernels.Add((method, diagnostic.Id + ": " + diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
                    }
                }
                else if (shape.Kinds != null)
                {
                    shape.Kernels.Add(new KernelRequest(method, level!.Value));
                }
                else if (method.IsPartialDefinition && method.PartialImplementationPart == null && !method.IsGenericMethod)
                {
                    // The request is fine but the level methods are not (BDSL0004 on them, say a virtual level
                    // method): implemented as a method that throws, so the build shows that error and not CS8795.
                    shape.InvalidKernels.Add((method, "'" + method.Name + "' cannot be generated: the model's [UpperLevel] or [LowerLevel] method is missing or invalid (see the BDSL error on it)"));
                }
            }
        }

        private static bool IsGeneratedImplementation(IMethodSymbol method) =>
            method.PartialImplementationPart!.DeclaringSyntaxReferences.All(r => r.SyntaxTree.FilePath.EndsWith(".Bilevel.g.cs", System.StringComparison.Ordinal));

        private static string Declared(ParameterKind kind, string name, bool output) =>
            kind == ParameterKind.Scalar ? (output ? "out double " : "double ") + name : (output ? "Span<double> " : "ReadOnlySpan<double> ") + name;

        private static bool HasGradientSignature(IMethodSymbol method, VariableKinds kinds)
        {
            if (method.ReturnType.SpecialType != SpecialType.System_Double || method.Parameters.Length != 4 || method.IsGenericMethod)
            {
                return false;
            }

            for (int i = 0; i < 4; i++)
            {
                IParameterSymbol parameter = method.Parameters[i];
                ParameterKind kind = kinds.Of(i % 2 == 0);
                bool ok = kind == ParameterKind.Scalar
                    ? parameter.Type.SpecialType == SpecialType.System_Double && parameter.RefKind == (i < 2 ? RefKind.None : RefKind.Out)
                    : parameter.RefKind == RefKind.None && (i < 2 ? IsReadOnlySpanOfDouble(parameter.Type) : IsSpanOfDouble(parameter.Type));
                if (!ok)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
