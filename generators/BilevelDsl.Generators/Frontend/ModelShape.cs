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
    /// <summary>A declared domain of one variable: a box, a user projection method, or nothing.</summary>
    internal sealed class DomainDeclaration
    {
        public double? BoxLower { get; set; }

        public double? BoxUpper { get; set; }

        public IMethodSymbol? Projection { get; set; }
    }

    /// <summary>A [Gradient(nameof(M))] partial method the user asked the generator to implement.</summary>
    internal sealed class KernelRequest
    {
        public KernelRequest(IMethodSymbol method, LevelRole level)
        {
            Method = method;
            Level = level;
        }

        public IMethodSymbol Method { get; }

        public LevelRole Level { get; }
    }

    /// <summary>
    /// The symbol-level shape of a [BilevelModel] class: its level methods, helpers and kernel requests, with
    /// the diagnostics about them. Transient: it holds symbols, so it never enters the generator pipeline.
    /// </summary>
    internal sealed class ModelShape
    {
        public ModelShape(INamedTypeSymbol type) => Type = type;

        public INamedTypeSymbol Type { get; }

        public IMethodSymbol? Upper { get; set; }

        public IMethodSymbol? Lower { get; set; }

        /// <summary>The kinds of x and y, when both level signatures are valid and agree.</summary>
        public VariableKinds? Kinds { get; set; }

        public List<IMethodSymbol> Helpers { get; } = new List<IMethodSymbol>();

        public List<KernelRequest> Kernels { get; } = new List<KernelRequest>();

        public List<IMethodSymbol> Constraints { get; } = new List<IMethodSymbol>();

        /// <summary>Invalid [Gradient] requests that are bodiless partial declarations, with why they are invalid:
        /// the generator implements them as methods that throw, so the build shows BDSL0014 and not CS8795.</summary>
        public List<(IMethodSymbol Method, string Problem)> InvalidKernels { get; } = new List<(IMethodSymbol, string)>();

        public DomainDeclaration UpperDomain { get; } = new DomainDeclaration();

        public DomainDeclaration LowerDomain { get; } = new DomainDeclaration();

        public List<Diagnostic> Diagnostics { get; } = new List<Diagnostic>();

        /// <summary>False when the generator cannot add a partial declaration at all.</summary>
        public bool CanEmit { get; set; } = true;

        public bool LevelsValid => Upper != null && Lower != null && Kinds != null;
    }

    /// <summary>Reads and checks the shape of a model class (everything except method bodies).</summary>
    internal static class ModelShapeReader
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
