using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Diagnostics;
using BilevelDsl.Generators.Ir;
using BilevelDsl.Generators.Pipeline;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BilevelDsl.Generators.Frontend
{
    /// <summary>Reads and checks the shape of a model class (everything except method bodies).</summary>
    internal static partial class ModelShapeReader
    {
        public const string ModelAttribute = "BilevelDsl.BilevelModelAttribute";
        public const string UpperAttribute = "BilevelDsl.UpperLevelAttribute";
        public const string LowerAttribute = "BilevelDsl.LowerLevelAttribute";
        public const string DifferentiableAttribute = "BilevelDsl.DifferentiableAttribute";
        public const string GradientAttribute = "BilevelDsl.GradientAttribute";
        public const string ConstraintAttribute = "BilevelDsl.LowerConstraintAttribute";
        public const string LowerProjectionAttribute = "BilevelDsl.LowerProjectionAttribute";
        public const string UpperProjectionAttribute = "BilevelDsl.UpperProjectionAttribute";
        public const string LowerBoundsAttribute = "BilevelDsl.LowerBoundsAttribute";
        public const string UpperBoundsAttribute = "BilevelDsl.UpperBoundsAttribute";

        public static ModelShape Read(INamedTypeSymbol type)
        {
            FaultInjection.Check(type.Name);
            var shape = new ModelShape(type);
            CheckTypeAndContainers(shape);

            var uppers = new List<IMethodSymbol>();
            var lowers = new List<IMethodSymbol>();
            foreach (IMethodSymbol method in type.GetMembers().OfType<IMethodSymbol>())
            {
                if (HasAttribute(method, UpperAttribute))
                {
                    uppers.Add(method);
                }

                if (HasAttribute(method, LowerAttribute))
                {
                    lowers.Add(method);
                }

                if (HasAttribute(method, DifferentiableAttribute))
                {
                    if (CheckHelper(method, shape.Diagnostics))
                    {
                        shape.Helpers.Add(method);
                    }
                }
            }

            shape.Upper = PickLevel(shape, uppers, "UpperLevel");
            shape.Lower = PickLevel(shape, lowers, "LowerLevel");
            VariableKinds? upperKind = shape.Upper == null ? null : CheckLevelSignature(shape.Upper, shape.Diagnostics);
            VariableKinds? lowerKind = shape.Lower == null ? null : CheckLevelSignature(shape.Lower, shape.Diagnostics);
            if (upperKind != null && lowerKind != null)
            {
                if (upperKind == lowerKind)
                {
                    shape.Kinds = upperKind;
                }
                else
                {
                    shape.Diagnostics.Add(Diagnostic.Create(
                        DiagnosticCatalog.BadLevelSignature,
                        LocationOf(shape.Lower!),
                        shape.Lower!.Name,
                        "must use the same parameter types as the upper level '" + shape.Upper!.Name + "' (" + upperKind.Value + ")"));
                }
            }

            ReadKernelRequests(shape);
            ReadDomains(shape);
            ReadConstraints(shape);
            return shape;
        }

        /// <summary>Which level a method is, or null.</summary>
        public static LevelRole? RoleOf(IMethodSymbol method)
        {
            if (HasAttribute(method, UpperAttribute))
            {
                return LevelRole.Upper;
            }

            if (HasAttribute(method, LowerAttribute))
            {
                return LevelRole.Lower;
            }

            return HasAttribute(method, ConstraintAttribute) ? LevelRole.Constraint : null;
        }

        public static bool HasAttribute(ISymbol symbol, string metadataName) =>
            symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == metadataName);

        public static bool IsModel(INamedTypeSymbol? type) => type != null && HasAttribute(type, ModelAttribute);

        /// <summary>The level signature rule: returns double, (x, y) each double or ReadOnlySpan&lt;double&gt;
        /// (a scalar hyperparameter with a vector of weights, or the reverse, is fine).</summary>
        public static VariableKinds? CheckLevelSignature(IMethodSymbol method, List<Diagnostic> diagnostics)
        {
            string? problem = null;
            VariableKinds? kind = null;
            if (method.ReturnType.SpecialType != SpecialType.System_Double)
            {
                problem = "must return double";
            }
            else if (method.IsGenericMethod)
            {
                problem = "must not be generic";
            }
            else if (method.IsVirtual || method.IsAbstract || method.IsOverride || method.IsExtern)
            {
                problem = "must not be virtual, abstract, override or extern: the kernels differentiate this body, so another body at run time would get wrong derivatives";
            }
            else if (method.ReturnsByRef || method.ReturnsByRefReadonly)
            {
                problem = "must return double by value";
            }
            else if (method.Parameters.Length != 2)
            {
                problem = "must take exactly two parameters (x, y): the upper variable, then the lower variable";
            }
            else
            {
                ParameterKind? first = KindOf(method.Parameters[0]);
                ParameterKind? second = KindOf(method.Parameters[1]);
                if (first == null || second == null)
                {
                    problem = "must take parameters of type double or ReadOnlySpan<double>, passed by value";
                }
                else
                {
                    kind = new VariableKinds(first.Value, second.Value);
                }
            }

            if (problem != null)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticCatalog.BadLevelSignature, LocationOf(method), method.Name, problem));
                return null;
            }

            return kind;
        }

        public static Location LocationOf(ISymbol symbol) =>
            symbol.Locations.FirstOrDefault(l => l.IsInSource) ?? Location.None;

        private static ParameterKind? KindOf(IParameterSymbol parameter)
        {
            if (parameter.RefKind != RefKind.None)
            {
                return null;
            }

            if (parameter.Type.SpecialType == SpecialType.System_Double)
            {
                return ParameterKind.Scalar;
            }

            return IsReadOnlySpanOfDouble(parameter.Type) ? ParameterKind.Span : null;
        }

        public static bool IsReadOnlySpanOfDouble(ITypeSymbol type) =>
            type is INamedTypeSymbol named
            && named.OriginalDefinition.ToDisplayString() == "System.ReadOnlySpan<T>"
            && named.TypeArguments[0].SpecialType == SpecialType.System_Double;

        public static bool IsSpanOfDouble(ITypeSymbol type) =>
            type is INamedTypeSymbol named
            && named.OriginalDefinition.ToDisplayString() == "System.Span<T>"
            && named.TypeArguments[0].SpecialType == SpecialType.System_Double;

        private static void CheckTypeAndContainers(ModelShape shape)
        {
            INamedTypeSymbol type = shape.Type;
            if (type.IsStatic || type.TypeKind != TypeKind.Class || type.IsRecord)
            {
                shape.Diagnostics.Add(Diagnostic.Create(DiagnosticCatalog.BadContainingType, LocationOf(type), type.Name, "must be a non-static class (not a record) to implement the kernel interface"));
                shape.CanEmit = false;
                return;
            }

            if (!IsPartial(type))
            {
                foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
                {
                    if (reference.GetSyntax() is ClassDeclarationSyntax declaration)
                    {
                        shape.Diagnostics.Add(Diagnostic.Create(DiagnosticCatalog.ModelNotPartial, declaration.Identifier.GetLocation(), type.Name));
                    }
                }

                shape.CanEmit = false;
            }

            for (INamedTypeSymbol? container = type.ContainingType; container != null; container = container.ContainingType)
            {
                if (!IsPartial(container))
                {
                    shape.Diagnostics.Add(Diagnostic.Create(DiagnosticCatalog.BadContainingType, LocationOf(type), type.Name, "is nested in '" + container.Name + "', which must be declared partial too"));
                    shape.CanEmit = false;
                }
            }
        }

        private static bool IsPartial(INamedTypeSymbol type) =>
            type.DeclaringSyntaxReferences.All(r =>
                r.GetSyntax() is TypeDeclarationSyntax declaration && declaration.Modifiers.Any(SyntaxKind.PartialKeyword));

        private static IMethodSymbol? PickLevel(ModelShape shape, List<IMethodSymbol> methods, string attributeName)
        {
            if (methods.Count == 0)
            {
                shape.Diagnostics.Add(Diagnostic.Create(DiagnosticCatalog.MissingLevel, IdentifierLocation(shape.Type), shape.Type.Name, attributeName));
                return null;
            }

            for (int i = 1; i < methods.Count; i++)
            {
                shape.Diagnostics.Add(Diagnostic.Create(DiagnosticCatalog.DuplicateLevel, LocationOf(methods[i]), shape.Type.Name, attributeName, methods[i].Name));
            }

            return methods.Count == 1 ? methods[0] : null;
        }

        private static Location IdentifierLocation(INamedTypeSymbol type)
        {
            foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax() is TypeDeclarationSyntax declaration)
                {
                    return declaration.Identifier.GetLocation();
                }
            }

            return LocationOf(type);
        }
    }
}
