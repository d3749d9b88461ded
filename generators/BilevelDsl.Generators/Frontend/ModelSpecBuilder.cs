using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using BilevelDsl.Generators.Diagnostics;
using BilevelDsl.Generators.Ir;
using BilevelDsl.Generators.Pipeline;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BilevelDsl.Generators.Frontend
{
    /// <summary>
    /// The front end as one call: reads a model class and lowers its level methods and helpers into a
    /// <see cref="ModelSpec"/>. The generator uses the spec; the analyzer uses the same pieces
    /// (<see cref="ModelShapeReader"/>, <see cref="BodyLowerer"/>) and reports their diagnostics.
    /// </summary>
    internal static class ModelSpecBuilder
    {
        public static ModelSpec? Build(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
        {
            ModelShape shape = ModelShapeReader.Read(type);
            if (!shape.CanEmit)
            {
                return null;
            }

            var diagnostics = new List<Diagnostic>(shape.Diagnostics);
            Dictionary<IMethodSymbol, Function> helpers = LowerHelpers(shape, compilation, cancellationToken);
            var helperSymbols = new HashSet<IMethodSymbol>(helpers.Keys, SymbolEqualityComparer.Default);

            LevelSpec? upper = null;
            LevelSpec? lower = null;
            string? rejection = null;
            if (shape.LevelsValid)
            {
                upper = LowerLevel(shape.Upper!, LevelRole.Upper, shape.VariableKind!.Value, helperSymbols, compilation, cancellationToken);
                lower = LowerLevel(shape.Lower!, LevelRole.Lower, shape.VariableKind!.Value, helperSymbols, compilation, cancellationToken);
            }
            else
            {
                rejection = Describe(diagnostics.FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error))
                    ?? "BDSL0002: the model's level methods are missing or invalid";
            }

            var kernels = new List<KernelSpec>();
            foreach (KernelRequest request in shape.Kernels)
            {
                string modifiers = request.Method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<MethodDeclarationSyntax>()
                    .Select(m => m.Modifiers.ToString()).FirstOrDefault() ?? "partial";
                kernels.Add(new KernelSpec(request.Method.Name, modifiers, request.Level, EquatableArray.From(request.Method.Parameters.Select(p => p.Name))));
            }

            return new ModelSpec(
                HintName(type),
                type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
                EquatableArray.From(ContainingDeclarations(type)),
                Declaration(type),
                type.ToDisplayString(),
                shape.VariableKind ?? ParameterKind.Scalar,
                upper,
                lower,
                EquatableArray.From(helpers.Values.OrderBy(h => h.Name, System.StringComparer.Ordinal)),
                EquatableArray.From(kernels),
                rejection);
        }

        /// <summary>Lowers the [Differentiable] helpers; a helper that calls a rejected helper is rejected too.</summary>
        public static Dictionary<IMethodSymbol, Function> LowerHelpers(ModelShape shape, Compilation compilation, CancellationToken cancellationToken)
        {
            var valid = new HashSet<IMethodSymbol>(shape.Helpers, SymbolEqualityComparer.Default);
            var lowered = new Dictionary<IMethodSymbol, Function>(SymbolEqualityComparer.Default);
            bool changed = true;
            while (changed)
            {
                changed = false;
                lowered.Clear();
                foreach (IMethodSymbol helper in valid.ToList())
                {
                    MethodDeclarationSyntax? syntax = SyntaxOf(helper, cancellationToken);
                    Function? function = syntax == null
                        ? null
                        : BodyLowerer.Lower(helper, syntax, compilation.GetSemanticModel(syntax.SyntaxTree), null, valid, new List<Diagnostic>(), cancellationToken);
                    if (function == null)
                    {
                        valid.Remove(helper);
                        changed = true;
                    }
                    else
                    {
                        lowered[helper] = function;
                    }
                }
            }

            return lowered;
        }

        private static LevelSpec LowerLevel(IMethodSymbol method, LevelRole role, ParameterKind kind, ICollection<IMethodSymbol> helpers, Compilation compilation, CancellationToken cancellationToken)
        {
            var diagnostics = new List<Diagnostic>();
            MethodDeclarationSyntax? syntax = SyntaxOf(method, cancellationToken);
            Function? body = null;
            if (syntax != null)
            {
                body = BodyLowerer.Lower(method, syntax, compilation.GetSemanticModel(syntax.SyntaxTree), kind, helpers, diagnostics, cancellationToken);
            }

            string? rejection = body != null
                ? null
                : Describe(diagnostics.FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error))
                    ?? (syntax == null
                        ? "BDSL0005: the method '" + method.Name + "' has no body in this project"
                        : "BDSL0015: the method '" + method.Name + "' calls a [Differentiable] method that cannot be differentiated");
            return new LevelSpec(role, method.Name, method.IsStatic, method.Parameters[0].Name, method.Parameters[1].Name, body, rejection);
        }

        public static MethodDeclarationSyntax? SyntaxOf(IMethodSymbol method, CancellationToken cancellationToken) =>
            method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<MethodDeclarationSyntax>()
                .FirstOrDefault(m => m.Body != null || m.ExpressionBody != null);

        private static string? Describe(Diagnostic? diagnostic) =>
            diagnostic == null ? null : diagnostic.Id + ": " + diagnostic.GetMessage(CultureInfo.InvariantCulture);

        private static string HintName(INamedTypeSymbol type)
        {
            var parts = new List<string>();
            for (INamedTypeSymbol? current = type; current != null; current = current.ContainingType)
            {
                parts.Insert(0, current.MetadataName.Replace('`', '_'));
            }

            string prefix = type.ContainingNamespace.IsGlobalNamespace ? string.Empty : type.ContainingNamespace.ToDisplayString() + ".";
            return prefix + string.Join(".", parts) + ".Bilevel.g.cs";
        }

        private static IEnumerable<string> ContainingDeclarations(INamedTypeSymbol type)
        {
            var declarations = new List<string>();
            for (INamedTypeSymbol? container = type.ContainingType; container != null; container = container.ContainingType)
            {
                declarations.Insert(0, Declaration(container));
            }

            return declarations;
        }

        /// <summary>"partial class Name&lt;T&gt;" (or struct/record/interface) for a type's extra partial part.</summary>
        private static string Declaration(INamedTypeSymbol type)
        {
            string keyword = type.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<TypeDeclarationSyntax>().Select(d => d switch
            {
                RecordDeclarationSyntax record => record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) ? "record struct" : "record",
                _ => d.Keyword.ValueText,
            }).FirstOrDefault() ?? "class";
            string typeParameters = type.TypeParameters.Length == 0 ? string.Empty : "<" + string.Join(", ", type.TypeParameters.Select(p => NameTable.Escape(p.Name))) + ">";
            return "partial " + keyword + " " + NameTable.Escape(type.Name) + typeParameters;
        }
    }
}
