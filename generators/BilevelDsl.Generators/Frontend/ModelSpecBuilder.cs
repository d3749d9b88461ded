using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using BilevelDsl.Generators.Ir;
using BilevelDsl.Generators.Pipeline;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace BilevelDsl.Generators.Frontend
{
    /// <summary>
    /// The front end as the generator runs it: the class transform reads the model's shape into a
    /// <see cref="ShellSpec"/>, each attributed method's transform lowers its body into a <see cref="MethodPart"/>,
    /// and <see cref="Assemble"/> joins them into the <see cref="ModelSpec"/> the emitter writes. The analyzer
    /// uses the same pieces (<see cref="ModelShapeReader"/>, <see cref="BodyLowerer"/>) and reports their diagnostics.
    /// </summary>
    internal static class ModelSpecBuilder
    {
        public static string TypeKey(INamedTypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

        public static ShellSpec? BuildShell(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            ModelShape shape = ModelShapeReader.Read(type);
            if (!shape.CanEmit)
            {
                return null;
            }

            string? rejection = shape.LevelsValid
                ? null
                : Describe(shape.Diagnostics.FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error)) ?? "BDSL0002: the model's level methods are missing or invalid";
            var kernels = new List<KernelSpec>();
            foreach (KernelRequest request in shape.Kernels)
            {
                string modifiers = request.Method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<MethodDeclarationSyntax>()
                    .Select(m => m.Modifiers.ToString()).FirstOrDefault() ?? "partial";
                kernels.Add(new KernelSpec(request.Method.Name, modifiers, request.Level, EquatableArray.From(request.Method.Parameters.Select(p => p.Name))));
            }

            return new ShellSpec(
                TypeKey(type),
                HintName(type),
                type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
                EquatableArray.From(ContainingDeclarations(type)),
                Declaration(type),
                type.ToDisplayString(),
                shape.Kinds ?? VariableKinds.Scalars,
                EquatableArray.From(kernels),
                rejection,
                EquatableArray.From(shape.Constraints.Select(c => c.Name)),
                Domain(shape.UpperDomain),
                Domain(shape.LowerDomain),
                EquatableArray.From(shape.InvalidKernels.Select(k => new InvalidKernelSpec(Signature(k.Method, cancellationToken), k.Problem))),
                EquatableArray.From(MemberNames(type)));
        }

        /// <summary>Names the user's model (and its base types) declares: a kernel that would clash with one stays
        /// an explicit interface implementation only.</summary>
        private static IEnumerable<string> MemberNames(INamedTypeSymbol type)
        {
            var names = new SortedSet<string>(System.StringComparer.Ordinal);
            for (INamedTypeSymbol? current = type; current != null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
            {
                foreach (ISymbol member in current.GetMembers())
                {
                    // Only names a user wrote (not backing fields such as <P>k__BackingField).
                    if (member.CanBeReferencedByName)
                    {
                        names.Add(member.Name);
                    }
                }
            }

            return names;
        }

        private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
            .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        /// <summary>The declaration of a bodiless partial method as its implementing part must repeat it.</summary>
        private static string Signature(IMethodSymbol method, CancellationToken cancellationToken)
        {
            string modifiers = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<MethodDeclarationSyntax>()
                .Select(m => m.Modifiers.ToString()).FirstOrDefault() ?? "partial";
            var parameters = method.Parameters.Select(p =>
                (p.IsParams ? "params " : string.Empty)
                + (p.RefKind switch { RefKind.Out => "out ", RefKind.Ref => "ref ", RefKind.In => "in ", _ => string.Empty })
                + p.Type.ToDisplayString(TypeFormat) + " " + NameTable.Escape(p.Name));
            string returns = method.ReturnsVoid ? "void" : method.ReturnType.ToDisplayString(TypeFormat);
            return modifiers + " " + returns + " " + NameTable.Escape(method.Name) + "(" + string.Join(", ", parameters) + ")";
        }

        private static DomainSpec Domain(DomainDeclaration declaration) =>
            new DomainSpec(declaration.BoxLower, declaration.BoxUpper, declaration.Projection?.Name, declaration.Projection?.IsStatic ?? false);

        /// <summary>Lowers one [UpperLevel], [LowerLevel] or [Differentiable] method of a model.</summary>
        public static MethodPart? BuildMethod(IMethodSymbol method, SemanticModel semanticModel, CancellationToken cancellationToken)
        {
            if (!ModelShapeReader.IsModel(method.ContainingType))
            {
                return null;
            }

            string key = TypeKey(method.ContainingType);
            MethodDeclarationSyntax? syntax = SyntaxOf(method, cancellationToken);
            var diagnostics = new List<Diagnostic>();
            LevelRole? role = ModelShapeReader.RoleOf(method);
            if (role == null)
            {
                Function? helper = syntax == null || !ModelShapeReader.CheckHelper(method, diagnostics)
                    ? null
                    : BodyLowerer.Lower(method, syntax, semanticModel, null, Helpers(method.ContainingType), diagnostics, cancellationToken);
                return new MethodPart(key, null, BodyLowerer.HelperKey(method, Helpers(method.ContainingType)), helper);
            }

            VariableKinds? kind = ModelShapeReader.CheckLevelSignature(method, diagnostics);
            if (syntax != null && syntax.SyntaxTree != semanticModel.SyntaxTree)
            {
                semanticModel = semanticModel.Compilation.GetSemanticModel(syntax.SyntaxTree);
            }

            Function? body = kind == null || syntax == null
                ? null
                : BodyLowerer.Lower(method, syntax, semanticModel, kind, Helpers(method.ContainingType), diagnostics, cancellationToken);
            string? rejection = body != null
                ? null
                : Describe(diagnostics.FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error))
                    ?? (syntax == null
                        ? "BDSL0005: the method '" + method.Name + "' has no body in this project"
                        : "BDSL0015: the method '" + method.Name + "' calls a [Differentiable] method that cannot be differentiated");
            string x = method.Parameters.Length > 0 ? method.Parameters[0].Name : "x";
            string y = method.Parameters.Length > 1 ? method.Parameters[1].Name : "y";
            return new MethodPart(key, new LevelSpec(role.Value, method.Name, method.IsStatic, x, y, body, rejection), string.Empty, null);
        }

        /// <summary>Joins a model's shell with its lowered methods. A level or helper that calls a rejected
        /// helper is rejected too (it has no derivative to call).</summary>
        public static ModelSpec Assemble(ShellSpec shell, IEnumerable<MethodPart> parts)
        {
            var mine = parts.Where(p => p.TypeKey == shell.TypeKey).ToList();
            var helpers = new Dictionary<string, Function>(System.StringComparer.Ordinal);
            foreach (MethodPart part in mine)
            {
                if (part.Level == null && part.HelperBody != null && !helpers.ContainsKey(part.HelperName))
                {
                    helpers[part.HelperName] = part.HelperBody;
                }
            }

            bool removed = true;
            while (removed)
            {
                removed = false;
                foreach (KeyValuePair<string, Function> helper in helpers.ToList())
                {
                    if (!HelpersCalled(helper.Value.Body).All(helpers.ContainsKey))
                    {
                        helpers.Remove(helper.Key);
                        removed = true;
                    }
                }
            }

            LevelSpec? upper = Single(mine, LevelRole.Upper, helpers);
            LevelSpec? lower = Single(mine, LevelRole.Lower, helpers);
            var constraints = new List<LevelSpec>();
            foreach (string name in shell.Constraints)
            {
                LevelSpec? constraint = mine.Select(p => p.Level).FirstOrDefault(l => l?.Role == LevelRole.Constraint && l.MethodName == name);
                constraints.Add(constraint == null
                    ? new LevelSpec(LevelRole.Constraint, name, false, "x", "y", null, "BDSL0017: the constraint '" + name + "' could not be read")
                    : CheckHelpers(constraint, helpers));
            }
            return new ModelSpec(
                shell.HintName,
                shell.Namespace,
                shell.ContainingTypes,
                shell.TypeDeclaration,
                shell.TypeDisplayName,
                shell.Kinds,
                upper,
                lower,
                EquatableArray.From(helpers.Values.OrderBy(h => h.Name, System.StringComparer.Ordinal)),
                shell.Kernels,
                shell.Rejection ?? (upper == null || lower == null ? "BDSL0002: the model's level methods are missing or invalid" : null),
                EquatableArray.From(constraints),
                shell.UpperDomain,
                shell.LowerDomain,
                shell.InvalidKernels,
                shell.MemberNames);
        }

        private static LevelSpec? Single(List<MethodPart> parts, LevelRole role, Dictionary<string, Function> helpers)
        {
            var levels = parts.Where(p => p.Level?.Role == role).Select(p => p.Level!).ToList();
            if (levels.Count != 1)
            {
                return null;
            }

            return CheckHelpers(levels[0], helpers);
        }

        private static LevelSpec CheckHelpers(LevelSpec level, Dictionary<string, Function> helpers)
        {
            string? missing = level.Body == null ? null : HelpersCalled(level.Body.Body).FirstOrDefault(h => !helpers.ContainsKey(h));
            return missing == null
                ? level
                : level with { Body = null, Rejection = "BDSL0015: '" + level.MethodName + "' calls the [Differentiable] method '" + missing + "', which cannot be differentiated" };
        }

        /// <summary>Names of the helpers a body calls.</summary>
        private static IEnumerable<string> HelpersCalled(Block block)
        {
            var called = new HashSet<string>(System.StringComparer.Ordinal);
            IrWalker.VisitExpressions(block, e =>
            {
                if (e is HelperCall call)
                {
                    called.Add(call.Helper);
                }
            });
            return called;
        }

        private static List<IMethodSymbol> Helpers(INamedTypeSymbol type) =>
            type.GetMembers().OfType<IMethodSymbol>()
                .Where(m => ModelShapeReader.HasAttribute(m, ModelShapeReader.DifferentiableAttribute) && ModelShapeReader.CheckHelper(m, new List<Diagnostic>()))
                .ToList();

        /// <summary>The declaration with the body: for a partial method declared here and implemented in another
        /// file, the implementation.</summary>
        public static MethodDeclarationSyntax? SyntaxOf(IMethodSymbol method, CancellationToken cancellationToken) =>
            (method.PartialImplementationPart ?? method).DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<MethodDeclarationSyntax>()
                .FirstOrDefault(m => m.Body != null || m.ExpressionBody != null);

        private static string? Describe(Diagnostic? diagnostic) =>
            diagnostic == null ? null : diagnostic.Id + ": " + diagnostic.GetMessage(CultureInfo.InvariantCulture);

        private static string HintName(INamedTypeSymbol type)
        {
            var parts = new List<string>();
            for (INamedTypeSymbol? current = type; current != null; current = current.ContainingType)
            {
                // Arity with '-', which no C# identifier contains: M<T> ("M-1") never collides with a class M_1.
                parts.Insert(0, current.MetadataName.Replace('`', '-'));
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
