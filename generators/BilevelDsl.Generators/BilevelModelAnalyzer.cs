using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using BilevelDsl.Generators.Ad;
using BilevelDsl.Generators.Analysis;
using BilevelDsl.Generators.Diagnostics;
using BilevelDsl.Generators.Frontend;
using BilevelDsl.Generators.Ir;
using BilevelDsl.Generators.Pipeline;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace BilevelDsl.Generators
{
    /// <summary>
    /// Reports, as the user types, everything the generator cannot differentiate. It runs the generator's
    /// own front end: the model's shape on the class symbol, and each level or helper body on its method.
    /// Exceptions become BDSL0012; cancellation passes through.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class BilevelModelAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticCatalog.All);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterSymbolAction(AnalyzeModel, SymbolKind.NamedType);
            context.RegisterSyntaxNodeAction(AnalyzeMethod, SyntaxKind.MethodDeclaration);
        }

        private static void AnalyzeModel(SymbolAnalysisContext context)
        {
            if (!(context.Symbol is INamedTypeSymbol type) || !ModelShapeReader.IsModel(type))
            {
                return;
            }

            Guard(type.Name, ModelShapeReader.LocationOf(type), context.ReportDiagnostic, () =>
            {
                foreach (Diagnostic diagnostic in ModelShapeReader.Read(type).Diagnostics)
                {
                    context.ReportDiagnostic(diagnostic);
                }
            });
        }

        private static void AnalyzeMethod(SyntaxNodeAnalysisContext context)
        {
            var syntax = (MethodDeclarationSyntax)context.Node;
            // The body may be the implementation of a partial method whose attributes are on the declaration.
            if (syntax.Body == null && syntax.ExpressionBody == null)
            {
                return;
            }

            if (!(context.SemanticModel.GetDeclaredSymbol(syntax, context.CancellationToken) is IMethodSymbol method) || !ModelShapeReader.IsModel(method.ContainingType))
            {
                return;
            }

            Guard(method.Name, syntax.Identifier.GetLocation(), context.ReportDiagnostic, () =>
            {
                LevelRole? role = ModelShapeReader.RoleOf(method);
                bool isHelper = ModelShapeReader.HasAttribute(method, ModelShapeReader.DifferentiableAttribute);
                if (ModelShapeReader.HasAttribute(method, ModelShapeReader.LowerProjectionAttribute) || ModelShapeReader.HasAttribute(method, ModelShapeReader.UpperProjectionAttribute))
                {
                    ProjectionChecks.ReportWritesOutside(method, syntax, context.SemanticModel, context.ReportDiagnostic, context.CancellationToken);
                }

                if (role == null && !isHelper)
                {
                    return;
                }

                var diagnostics = new List<Diagnostic>();
                VariableKinds? kind = role != null ? ModelShapeReader.CheckLevelSignature(method, new List<Diagnostic>()) : null;
                if (role != null && kind == null)
                {
                    return; // the signature diagnostic comes from the model's shape
                }

                if (role == null && !method.IsStatic)
                {
                    return; // BDSL0015 on the declaration already says why
                }

                var helpers = method.ContainingType.GetMembers().OfType<IMethodSymbol>()
                    .Where(m => ModelShapeReader.HasAttribute(m, ModelShapeReader.DifferentiableAttribute))
                    .ToList();
                Function? body = BodyLowerer.Lower(method, syntax, context.SemanticModel, kind, helpers, diagnostics, context.CancellationToken);
                foreach (Diagnostic diagnostic in diagnostics)
                {
                    context.ReportDiagnostic(diagnostic);
                }

                if (body != null && (role == LevelRole.Upper || role == LevelRole.Lower))
                {
                    ReportUnusedVariable(context, method, role.Value, body);
                }

                if (body != null && (role == LevelRole.Lower || role == LevelRole.Constraint))
                {
                    ReportConvexity(context, syntax, ConvexityAnalysis.Analyze(body, role == LevelRole.Constraint, context.CancellationToken));
                }
            });
        }

        /// <summary>BDSL0022 (info): the convexity analysis's verdict on a lower objective or constraint, shown in the IDE.</summary>
        private static void ReportConvexity(SyntaxNodeAnalysisContext context, MethodDeclarationSyntax syntax, FunctionConvexity verdict)
        {
            string where = verdict.Location.Length == 0 ? string.Empty : "; at " + verdict.Location + ": " + verdict.Text;
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticCatalog.ConvexityVerdict, syntax.Identifier.GetLocation(), syntax.Identifier.ValueText, verdict.Verdict.ToString(), verdict.Reason + where));
        }

        /// <summary>BDSL0010/0011: the variable the other level controls never reaches this objective.</summary>
        private static void ReportUnusedVariable(SyntaxNodeAnalysisContext context, IMethodSymbol method, LevelRole role, Function body)
        {
            int index = role == LevelRole.Lower ? 0 : 1;
            string variable = body.Parameters[index].Name;
            if (Activity.Of(body, new[] { variable }).ReturnIsActive)
            {
                return;
            }

            if (role == LevelRole.Lower && SomeConstraintMentionsX(method.ContainingType))
            {
                return; // x moves the lower-level solution through a [LowerConstraint]: the implicit part need not be zero
            }

            DiagnosticDescriptor descriptor = role == LevelRole.Lower ? DiagnosticCatalog.UpperVariableUnused : DiagnosticCatalog.LowerVariableUnused;
            Location location = method.Parameters[index].Locations.FirstOrDefault() ?? Location.None;
            context.ReportDiagnostic(Diagnostic.Create(descriptor, location, method.Name, variable));
        }

        /// <summary>Whether the body of some [LowerConstraint] method of the model names its first (upper-variable) parameter.</summary>
        private static bool SomeConstraintMentionsX(INamedTypeSymbol type)
        {
            foreach (IMethodSymbol constraint in type.GetMembers().OfType<IMethodSymbol>())
            {
                if (constraint.Parameters.Length == 0 || !ModelShapeReader.HasAttribute(constraint, ModelShapeReader.ConstraintAttribute))
                {
                    continue;
                }

                string x = constraint.Parameters[0].Name;
                foreach (SyntaxReference reference in constraint.DeclaringSyntaxReferences)
                {
                    if (reference.GetSyntax() is MethodDeclarationSyntax declaration
                        && ((SyntaxNode?)declaration.Body ?? declaration.ExpressionBody)?.DescendantNodes().OfType<IdentifierNameSyntax>().Any(n => n.Identifier.ValueText == x) == true)
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static void Guard(string name, Location location, Action<Diagnostic> report, Action action)
        {
            try
            {
                action();
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception exception)
            {
                report(Diagnostic.Create(DiagnosticCatalog.InternalError, location, name, exception.GetType().Name + ": " + exception.Message));
            }
        }
    }
}
