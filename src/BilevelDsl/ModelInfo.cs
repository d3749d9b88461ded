namespace BilevelDsl;

/// <summary>
/// What the generator learned about a model at compile time, so that a solver can refuse a model that
/// breaks its assumptions with a message that points at the user's code.
/// </summary>
/// <param name="Upper">The upper-level objective.</param>
/// <param name="Lower">The lower-level objective.</param>
/// <param name="LowerConstraintCount">How many [LowerConstraint] methods the model has.</param>
/// <param name="HasUpperDomain">Whether the upper variable has a declared domain (bounds or projection).</param>
/// <param name="HasLowerDomain">Whether the lower variable has a declared domain (bounds or projection).</param>
public sealed record ModelInfo(LevelInfo Upper, LevelInfo Lower, int LowerConstraintCount, bool HasUpperDomain, bool HasLowerDomain)
{
    /// <summary>This info with the lower level's convexity verdict bound to the model's data (the generated model calls
    /// it with a function returning the data matrix of each <see cref="LowerConvexity.Conditions"/> entry).</summary>
    public ModelInfo WithConvexityData(Func<int, Matrix> matrices) =>
        this with { Lower = Lower with { Convexity = Lower.Convexity with { DataMatrices = matrices } } };
}

/// <summary>Smoothness facts about one level's objective.</summary>
/// <param name="Method">The objective's method name.</param>
/// <param name="NonsmoothTerms">Every nonsmooth primitive in its body (and in the helpers it calls); copied, so that no caller can change what every instance of the model reports.</param>
/// <param name="Convexity">The lower level's convexity in y (objective and constraints) from the compile-time analysis; null: not analysed.</param>
public sealed record LevelInfo(string Method, IReadOnlyList<NonsmoothTerm> NonsmoothTerms, LowerConvexity? Convexity = null)
{
    /// <summary>For the lower level: its convexity in y, per function, with the term that decides it
    /// (<see cref="LowerConvexity.NotAnalysed"/> for the upper level and for hand-written kernels).</summary>
    public LowerConvexity Convexity { get; init; } = Convexity ?? LowerConvexity.NotAnalysed;

    /// <summary>Every nonsmooth primitive in the objective (a read-only copy of what the generator recorded).</summary>
    public IReadOnlyList<NonsmoothTerm> NonsmoothTerms { get; } = Array.AsReadOnly((NonsmoothTerms ?? throw new ArgumentNullException(nameof(NonsmoothTerms))).ToArray());

    /// <summary>Whether the objective is differentiable everywhere (no nonsmooth primitive).</summary>
    public bool IsSmooth => NonsmoothTerms.Count == 0;

    /// <summary>A one-line summary naming the nonsmooth terms and where they are, for error messages.</summary>
    public string Describe() => IsSmooth
        ? Method + " is smooth"
        : Method + " is nonsmooth: " + string.Join("; ", NonsmoothTerms.Select(t => t.ToString()));
}

/// <summary>A nonsmooth primitive in an objective.</summary>
/// <param name="Primitive">Abs, Max, Min, Norm1, Relu, Hinge, PowAbs or OscarPair.</param>
/// <param name="Location">file(line,column) of the call.</param>
/// <param name="Text">The call's source text.</param>
public sealed record NonsmoothTerm(string Primitive, string Location, string Text)
{
    /// <inheritdoc/>
    public override string ToString() => Location + ": " + Text;
}
