using System.Collections.Generic;
using BilevelDsl.Generators.Ir;
using BilevelDsl.Generators.Pipeline;
using Microsoft.CodeAnalysis;

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
}
