using BilevelDsl.Generators.Ir;

namespace BilevelDsl.Generators.Pipeline
{
    // The models that flow through the incremental pipeline: records of strings, numbers, enums, equatable
    // arrays and IR records only (no symbols, syntax, semantic models or locations), so that an edit which
    // does not change a model's meaning leaves its outputs cached.

    /// <summary>What an attributed method is: a level of the problem or a lower-level constraint.</summary>
    internal enum LevelRole
    {
        Upper,
        Lower,
        Constraint,
    }

    /// <summary>Everything the emitter needs to write one model's kernels.</summary>
    internal sealed record ModelSpec(
        string HintName,
        string? Namespace,
        EquatableArray<string> ContainingTypes,
        string TypeDeclaration,
        string TypeDisplayName,
        VariableKinds Kinds,
        LevelSpec? Upper,
        LevelSpec? Lower,
        EquatableArray<Function> Helpers,
        EquatableArray<KernelSpec> Kernels,
        string? Rejection,
        EquatableArray<LevelSpec> Constraints,
        DomainSpec UpperDomain,
        DomainSpec LowerDomain,
        EquatableArray<InvalidKernelSpec> InvalidKernels,
        EquatableArray<string> MemberNames);

    /// <summary>A variable's domain: a box (both bounds set), a projection method, or neither (identity).</summary>
    internal sealed record DomainSpec(double? BoxLower, double? BoxUpper, string? Projection, bool ProjectionIsStatic)
    {
        public static readonly DomainSpec None = new DomainSpec(null, null, null, false);

        public bool IsDeclared => BoxLower != null || Projection != null;
    }

    /// <summary>One level method: its name, parameter names and lowered body, or why it was rejected
    /// (the diagnostic ID first, so the stub that throws carries it).</summary>
    internal sealed record LevelSpec(
        LevelRole Role,
        string MethodName,
        bool IsStatic,
        string XName,
        string YName,
        Function? Body,
        string? Rejection);

    /// <summary>A [Gradient] partial method to implement, with its declared modifiers and parameter names.</summary>
    internal sealed record KernelSpec(
        string MethodName,
        string Modifiers,
        LevelRole Level,
        EquatableArray<string> ParameterNames);

    /// <summary>The class-level part of a model (from the [BilevelModel] transform): where and how to emit.
    /// <see cref="Rejection"/> is set when the model's shape is invalid (missing or mismatched levels).</summary>
    internal sealed record ShellSpec(
        string TypeKey,
        string HintName,
        string? Namespace,
        EquatableArray<string> ContainingTypes,
        string TypeDeclaration,
        string TypeDisplayName,
        VariableKinds Kinds,
        EquatableArray<KernelSpec> Kernels,
        string? Rejection,
        EquatableArray<string> Constraints,
        DomainSpec UpperDomain,
        DomainSpec LowerDomain,
        EquatableArray<InvalidKernelSpec> InvalidKernels,
        EquatableArray<string> MemberNames);

    /// <summary>An invalid [Gradient] partial declaration: its exact signature and the BDSL0014 message its
    /// throwing implementation carries.</summary>
    internal sealed record InvalidKernelSpec(string Signature, string Message);

    /// <summary>One attributed method, lowered in its own transform (so edits in any partial file of a
    /// model are seen): a level, or a [Differentiable] helper (<see cref="Level"/> null; Body null if rejected).</summary>
    internal sealed record MethodPart(string TypeKey, LevelSpec? Level, string HelperName, Function? HelperBody);

    /// <summary>The emitted source of one model, plus an internal-error message if emission failed.</summary>
    internal sealed record GeneratedSource(string HintName, string Source, string? InternalError, string TypeDisplayName);
}
