using BilevelDsl.GeneratorTests.Harness;
using Xunit;

namespace BilevelDsl.GeneratorTests.Corpus;

/// <summary>
/// The corpus: small two-level models that together exercise every construct of the differentiable subset
/// on both levels. Scalar models are in CorpusModels.Scalar.cs, span models in CorpusModels.Span*.cs, the
/// closed-form models (ridge, logistic) in ClosedFormModels.cs.
/// </summary>
public static partial class CorpusModels
{
    private static readonly Lazy<IReadOnlyList<ModelSpec>> LazyAll = new(() =>
        ScalarModels().Concat(SpanModels()).Concat(MoreSpanModels()).Concat(VectorModels()).Concat(ClosedFormModels.All).ToList());

    public static IReadOnlyList<ModelSpec> All => LazyAll.Value;

    public static ModelSpec Get(string name) => All.Single(m => m.Name == name);

    /// <summary>Model names, for [MemberData].</summary>
    public static TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (ModelSpec m in All)
            {
                data.Add(m.Name);
            }

            return data;
        }
    }

    private static ModelSpec Scalar(string name, string covers, string upper, string lower, string members = "") =>
        new() { Name = name, Kind = ModelKind.Scalar, Covers = covers, Upper = upper, Lower = lower, Members = members };

    private static ModelSpec Span(string name, string covers, string upper, string lower, string members = "", int xLength = 3, int yLength = 3) =>
        new() { Name = name, Kind = ModelKind.Span, Covers = covers, Upper = upper, Lower = lower, Members = members, XLength = xLength, YLength = yLength };
}

/// <summary>The corpus compiled once (generator, analyzer, emit) and shared by every test class that needs it.</summary>
public static class CorpusCompilation
{
    private static readonly Lazy<Task<ModelBatch>> LazyBatch = new(() => ModelBatch.BuildAsync(CorpusModels.All, runAnalyzer: true, "Corpus"));

    public static Task<ModelBatch> GetAsync() => LazyBatch.Value;
}
