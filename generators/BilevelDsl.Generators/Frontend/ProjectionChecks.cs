using System;
using System.Linq;
using System.Threading;
using BilevelDsl.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace BilevelDsl.Generators.Frontend
{
    /// <summary>BDSL0019: a projection may write only into its span argument and its own locals.</summary>
    internal static class ProjectionChecks
    {
        public static void ReportWritesOutside(IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel semanticModel, Action<Diagnostic> report, CancellationToken cancellationToken)
        {
            IOperation? body = semanticModel.GetOperation(syntax, cancellationToken);
            if (body == null || method.Parameters.Length != 1)
            {
                return;
            }

            foreach (IOperation operation in body.DescendantsAndSelf())
            {
                IOperation? target = operation switch
                {
                    ISimpleAssignmentOperation assignment => assignment.Target,
                    ICompoundAssignmentOperation compound => compound.Target,
                    IIncrementOrDecrementOperation step => step.Target,
                    IDeconstructionAssignmentOperation deconstruction => deconstruction.Target,
                    _ => null,
                };
                if (target != null && !WritesInside(target, method))
                {
                    report(Diagnostic.Create(DiagnosticCatalog.ProjectionWritesOutside, target.Syntax.GetLocation(), method.Name, target.Syntax.ToString()));
                }
            }
        }

        private static bool WritesInside(IOperation target, IMethodSymbol method) => target switch
        {
            ILocalReferenceOperation => true,
            IPropertyReferenceOperation { Property.IsIndexer: true, Instance: IParameterReferenceOperation parameter } =>
                SymbolEqualityComparer.Default.Equals(parameter.Parameter, method.Parameters[0]),
            ITupleOperation tuple => tuple.Elements.All(e => WritesInside(e, method)),
            IDeclarationExpressionOperation => true,
            _ => false,
        };
    }
}
