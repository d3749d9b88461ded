using Microsoft.CodeAnalysis;

namespace BilevelDsl.Generators.Diagnostics
{
    /// <summary>Every diagnostic BilevelDsl reports, in one place. Each has a page docs/diagnostics/ID.md.</summary>
    internal static class DiagnosticCatalog
    {
        public const string Category = "BilevelDsl";

        public const string HelpLinkBase = "https://github.com/BilevelDsl/BilevelDsl/blob/main/docs/diagnostics/";

        public static readonly DiagnosticDescriptor ModelNotPartial = Error(
            "BDSL0001",
            "Bilevel model class must be partial",
            "The [BilevelModel] class '{0}' must be declared partial so that its kernels can be generated");

        public static readonly DiagnosticDescriptor MissingLevel = Error(
            "BDSL0002",
            "Missing level method",
            "The [BilevelModel] class '{0}' has no [{1}] method");

        public static readonly DiagnosticDescriptor DuplicateLevel = Error(
            "BDSL0003",
            "More than one method for a level",
            "The [BilevelModel] class '{0}' has more than one [{1}] method; '{2}' is a second one");

        public static readonly DiagnosticDescriptor BadLevelSignature = Error(
            "BDSL0004",
            "Level method has an unsupported signature",
            "The level method '{0}' {1}");

        public static readonly DiagnosticDescriptor UnsupportedStatement = Error(
            "BDSL0005",
            "Unsupported statement",
            "{0} cannot be differentiated{1}");

        public static readonly DiagnosticDescriptor UnsupportedExpression = Error(
            "BDSL0006",
            "Unsupported expression",
            "The expression '{0}' ({1}) cannot be differentiated");

        public static readonly DiagnosticDescriptor LoopCarriedState = Error(
            "BDSL0007",
            "Loop-carried state other than accumulation",
            "'{0}' is declared outside the loop and {1} inside it; only += and -= accumulation may carry state across iterations, and the accumulated value cannot be read inside the loop");

        public static readonly DiagnosticDescriptor NonDifferentiableCall = Error(
            "BDSL0008",
            "Call to a method that cannot be differentiated",
            "'{0}' is neither a Math/Dsl intrinsic nor a static method of the model marked [Differentiable]");

        public static readonly DiagnosticDescriptor WriteToInputOrData = Error(
            "BDSL0009",
            "Write to an input or to model data",
            "'{0}' is {1} and cannot be assigned in an objective");

        public static readonly DiagnosticDescriptor UpperVariableUnused = Warning(
            "BDSL0010",
            "The upper variable never reaches the lower objective",
            "The lower-level objective '{0}' does not depend on the upper variable '{1}': the implicit part of the hypergradient is always zero");

        public static readonly DiagnosticDescriptor LowerVariableUnused = Warning(
            "BDSL0011",
            "The lower variable never reaches the upper objective",
            "The upper-level objective '{0}' does not depend on the lower variable '{1}': the lower level cannot influence the upper objective");

        public static readonly DiagnosticDescriptor InternalError = Error(
            "BDSL0012",
            "Internal error",
            "BilevelDsl hit an internal error while processing '{0}': {1}; please report it");

        public static readonly DiagnosticDescriptor UnsupportedLoop = Error(
            "BDSL0013",
            "Unsupported for-loop form",
            "This for loop cannot be differentiated: {0}; write 'for (int i = start; i < end; i++)' with bounds that do not change inside the loop");

        public static readonly DiagnosticDescriptor BadKernelRequest = Error(
            "BDSL0014",
            "Invalid kernel request",
            "The kernel method '{0}' {1}");

        public static readonly DiagnosticDescriptor BadHelper = Error(
            "BDSL0015",
            "Invalid [Differentiable] method",
            "The [Differentiable] method '{0}' {1}");

        public static readonly DiagnosticDescriptor BadContainingType = Error(
            "BDSL0016",
            "Unsupported model type or containing type",
            "'{0}' {1}");

        public static readonly DiagnosticDescriptor BadDomainOrConstraint = Error(
            "BDSL0017",
            "Invalid domain, projection or constraint declaration",
            "'{0}' {1}");

        public static readonly DiagnosticDescriptor NonsmoothInLowerLevel = new DiagnosticDescriptor(
            "BDSL0018",
            "Nonsmooth primitive in the lower level",
            "'{0}' makes the lower-level objective nonsmooth: methods that need a smooth lower level will ask for WithSmoothing(mu); the Dsl intrinsic states the smoothing explicitly",
            Category,
            DiagnosticSeverity.Info,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "BDSL0018.md");

        public static readonly DiagnosticDescriptor ProjectionWritesOutside = Error(
            "BDSL0019",
            "Projection writes outside its argument",
            "The projection '{0}' assigns '{1}'; a projection may only write into its span argument and its own locals");

        public static readonly DiagnosticDescriptor ComputedVectorMisuse = Error(
            "BDSL0020",
            "Computed vector used in a way that cannot be differentiated",
            "The computed vector '{0}' {1}");

        public static readonly DiagnosticDescriptor BodyTooLarge = Error(
            "BDSL0021",
            "Body too large to differentiate",
            "The body of '{0}' is too large to differentiate ({1}); split it into [Differentiable] helpers or loops");

        public static readonly DiagnosticDescriptor ConvexityVerdict = new DiagnosticDescriptor(
            "BDSL0022",
            "Convexity of the lower level in y",
            "'{0}', convexity in y: {1} ({2})",
            Category,
            DiagnosticSeverity.Info,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "BDSL0022.md");

        public static readonly DiagnosticDescriptor[] All =
        {
            ModelNotPartial, MissingLevel, DuplicateLevel, BadLevelSignature, UnsupportedStatement,
            UnsupportedExpression, LoopCarriedState, NonDifferentiableCall, WriteToInputOrData,
            UpperVariableUnused, LowerVariableUnused, InternalError, UnsupportedLoop, BadKernelRequest,
            BadHelper, BadContainingType, BadDomainOrConstraint, NonsmoothInLowerLevel, ProjectionWritesOutside,
            ComputedVectorMisuse, BodyTooLarge, ConvexityVerdict,
        };

        public static DiagnosticDescriptor? Find(string id)
        {
            foreach (DiagnosticDescriptor descriptor in All)
            {
                if (descriptor.Id == id)
                {
                    return descriptor;
                }
            }

            return null;
        }

        private static DiagnosticDescriptor Error(string id, string title, string message) =>
            new DiagnosticDescriptor(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + id + ".md");

        private static DiagnosticDescriptor Warning(string id, string title, string message) =>
            new DiagnosticDescriptor(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + id + ".md");
    }
}
