using System;
using System.Threading;
using BilevelDsl.Generators.Diagnostics;
using BilevelDsl.Generators.Emit;
using BilevelDsl.Generators.Frontend;
using BilevelDsl.Generators.Pipeline;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace BilevelDsl.Generators
{
    /// <summary>
    /// Implements <c>IBilevelKernels</c> for every [BilevelModel] class: front end (C# to IR) in the
    /// attribute transform, then reverse-mode differentiation and emission from the equatable model.
    /// Diagnostics about the user's code come from <see cref="BilevelModelAnalyzer"/>, which runs the same
    /// front end; the generator itself only reports internal errors (BDSL0012), and never throws.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class BilevelModelGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<ModelOrError> models = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    ModelShapeReader.ModelAttribute,
                    static (node, _) => node is ClassDeclarationSyntax,
                    static (syntaxContext, cancellationToken) => Read(syntaxContext, cancellationToken))
                .Where(static m => m != null)
                .Select(static (m, _) => m!)
                .WithTrackingName(TrackingNames.Model);

            IncrementalValuesProvider<GeneratedSource> sources = models
                .Select(static (model, cancellationToken) => model.Spec == null ? new GeneratedSource(string.Empty, string.Empty, model.Error, model.TypeName) : ModelEmitter.Emit(model.Spec))
                .WithTrackingName(TrackingNames.Kernels);

            context.RegisterSourceOutput(sources, static (output, source) =>
            {
                if (source.InternalError != null)
                {
                    output.ReportDiagnostic(Diagnostic.Create(DiagnosticCatalog.InternalError, Location.None, source.TypeDisplayName, source.InternalError));
                }

                if (source.HintName.Length > 0)
                {
                    output.AddSource(source.HintName, SourceText.From(source.Source, System.Text.Encoding.UTF8));
                }
            });
        }

        private static ModelOrError? Read(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            if (!(context.TargetSymbol is INamedTypeSymbol type))
            {
                return null;
            }

            try
            {
                ModelSpec? spec = ModelSpecBuilder.Build(type, context.SemanticModel.Compilation, cancellationToken);
                return spec == null ? null : new ModelOrError(spec, null, type.ToDisplayString());
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception exception)
            {
                return new ModelOrError(null, exception.GetType().Name + ": " + exception.Message, type.ToDisplayString());
            }
        }
    }

    /// <summary>The transform's output: a model, or the internal error that prevented reading it.</summary>
    internal sealed record ModelOrError(ModelSpec? Spec, string? Error, string TypeName);
}
