using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using BilevelDsl.Generators.Ad;
using BilevelDsl.Generators.Analysis;
using BilevelDsl.Generators.Diagnostics;
using BilevelDsl.Generators.Emit;
using BilevelDsl.Generators.Frontend;
using BilevelDsl.Generators.Ir;
using BilevelDsl.Generators.Pipeline;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace BilevelDsl.Generators
{
    /// <summary>
    /// Implements <c>IBilevelKernels</c> for every [BilevelModel] class.
    /// Pipeline: the class transform reads the model's shape; each [UpperLevel]/[LowerLevel]/[Differentiable]
    /// method is lowered to IR in its own transform (so an edit in any partial file of a model is seen);
    /// the two are joined per model (step <see cref="TrackingNames.Model"/>), then differentiated
    /// (<see cref="ModelDerivation"/>) and printed (<see cref="ModelEmitter"/>) in step <see cref="TrackingNames.Kernels"/>. Every model in the pipeline is an equatable record.
    /// Diagnostics about the user's code come from <see cref="BilevelModelAnalyzer"/>, which runs the same
    /// front end; the generator only reports internal errors (BDSL0012), and never throws.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class BilevelModelGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<Guarded<ShellSpec>> shells = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    ModelShapeReader.ModelAttribute,
                    static (node, _) => node is ClassDeclarationSyntax,
                    static (syntaxContext, cancellationToken) => syntaxContext.TargetSymbol is INamedTypeSymbol type
                        ? Guard(type.ToDisplayString(), ModelSpecBuilder.TypeKey(type), () => ModelSpecBuilder.BuildShell(type, cancellationToken))
                        : null)
                .Where(static shell => shell != null && (shell.Value != null || shell.Error != null))
                .Select(static (shell, _) => shell!);

            IncrementalValueProvider<ImmutableArray<Guarded<MethodPart>>> uppers = Methods(context, ModelShapeReader.UpperAttribute);
            IncrementalValueProvider<ImmutableArray<Guarded<MethodPart>>> lowers = Methods(context, ModelShapeReader.LowerAttribute);
            IncrementalValueProvider<ImmutableArray<Guarded<MethodPart>>> helpers = Methods(context, ModelShapeReader.DifferentiableAttribute);
            IncrementalValueProvider<ImmutableArray<Guarded<MethodPart>>> constraints = Methods(context, ModelShapeReader.ConstraintAttribute);
            IncrementalValueProvider<EquatableArray<Guarded<MethodPart>>> parts = uppers.Combine(lowers).Combine(helpers).Combine(constraints)
                .Select(static (all, _) => EquatableArray.From(all.Left.Left.Left.Concat(all.Left.Left.Right).Concat(all.Left.Right).Concat(all.Right)));

            IncrementalValuesProvider<Guarded<ModelSpec>> models = shells.Combine(parts)
                .Select(static (pair, _) => Join(pair.Left, pair.Right))
                .WithTrackingName(TrackingNames.Model);

            IncrementalValuesProvider<GeneratedSource> sources = models
                .Select(static (model, cancellationToken) => model.Value != null
                    ? Generate(model.Value, cancellationToken)
                    : new GeneratedSource(string.Empty, string.Empty, model.Error, model.Name))
                .WithTrackingName(TrackingNames.Kernels);

            context.RegisterSourceOutput(sources, static (output, source) =>
            {
                if (source.InternalError != null)
                {
                    output.ReportDiagnostic(Diagnostic.Create(DiagnosticCatalog.InternalError, Location.None, source.TypeDisplayName, source.InternalError));
                }

                if (source.HintName.Length > 0)
                {
                    try
                    {
                        output.AddSource(source.HintName, SourceText.From(source.Source, System.Text.Encoding.UTF8));
                    }
                    catch (ArgumentException exception)
                    {
                        // Only possible when one type is seen twice (e.g. [BilevelModel] on two partial
                        // declarations, already a C# error): report, never crash the compilation.
                        output.ReportDiagnostic(Diagnostic.Create(DiagnosticCatalog.InternalError, Location.None, source.TypeDisplayName, exception.Message));
                    }
                }
            });
        }

        /// <summary>
        /// Differentiates a model (<see cref="ModelDerivation"/>) and prints it (<see cref="ModelEmitter"/>). If
        /// either throws, the model is printed again with kernels that throw BDSL0012, and the error is reported.
        /// </summary>
        internal static GeneratedSource Generate(ModelSpec spec, CancellationToken cancellationToken = default)
        {
            using IDisposable names = GeneratedNames.For(spec.MemberNames);
            using IDisposable cancellation = GenerationCancellation.For(cancellationToken);
            try
            {
                LowerConvexity convexity = LowerConvexity.Of(spec, cancellationToken);
                return new GeneratedSource(spec.HintName, ModelEmitter.Write(ModelDerivation.Derive(spec, null, cancellationToken), convexity), null, spec.TypeDisplayName);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception exception)
            {
                string message = exception.GetType().Name + ": " + exception.Message;
                string source = ModelEmitter.Write(ModelDerivation.Derive(spec, "BDSL0012: internal error in the BilevelDsl generator: " + message));
                return new GeneratedSource(spec.HintName, source, message, spec.TypeDisplayName);
            }
        }

        private static IncrementalValueProvider<ImmutableArray<Guarded<MethodPart>>> Methods(IncrementalGeneratorInitializationContext context, string attribute) =>
            context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    attribute,
                    static (node, _) => node is MethodDeclarationSyntax,
                    static (syntaxContext, cancellationToken) => syntaxContext.TargetSymbol is IMethodSymbol method
                        ? Guard(method.Name, ModelSpecBuilder.TypeKey(method.ContainingType), () => ModelSpecBuilder.BuildMethod(method, syntaxContext.SemanticModel, cancellationToken))
                        : null)
                .Where(static part => part != null && (part.Value != null || part.Error != null))
                .Select(static (part, _) => part!)
                .Collect();

        private static Guarded<ModelSpec> Join(Guarded<ShellSpec> shell, EquatableArray<Guarded<MethodPart>> parts)
        {
            Guarded<MethodPart>? failed = parts.FirstOrDefault(p => p.Key == shell.Key && p.Error != null);
            if (shell.Value == null || failed != null)
            {
                return new Guarded<ModelSpec>(null, shell.Error ?? failed!.Error, shell.Name, shell.Key);
            }

            return Guard(shell.Name, shell.Key, () => ModelSpecBuilder.Assemble(shell.Value, parts.Where(p => p.Value != null).Select(p => p.Value!)));
        }

        /// <summary>Runs a front-end step; an exception becomes an error value (reported as BDSL0012), never a crash.</summary>
        private static Guarded<T> Guard<T>(string name, string key, Func<T?> step)
            where T : class
        {
            try
            {
                return new Guarded<T>(step(), null, name, key);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception exception)
            {
                return new Guarded<T>(null, exception.GetType().Name + ": " + exception.Message, name, key);
            }
        }
    }

    /// <summary>A pipeline value, or the internal error that prevented computing it.</summary>
    internal sealed record Guarded<T>(T? Value, string? Error, string Name, string Key)
        where T : class;
}
