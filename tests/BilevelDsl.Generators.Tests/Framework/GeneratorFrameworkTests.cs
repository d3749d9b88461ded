using System.Text;
using BilevelDsl.GeneratorTests.GeneratedCode;
using BilevelDsl.GeneratorTests.Harness;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace BilevelDsl.GeneratorTests.Framework;

/// <summary>The source generator through CSharpSourceGeneratorTest.</summary>
public sealed class GeneratorFrameworkTests
{
    [Fact]
    public async Task A_scalar_model_gets_exactly_its_snapshot_file()
    {
        ModelSpec spec = SnapshotModels.ScalarQuadratic;
        string expected = File.ReadAllText(Path.Combine(RepoPaths.Snapshots, spec.Name + ".g.cs.txt"));
        var test = new BdslGeneratorTest();
        test.TestState.Sources.Add((spec.FileName, spec.ToSource()));
        test.TestState.GeneratedSources.Add((typeof(BilevelModelGenerator), spec.HintName, SourceText.From(expected, Encoding.UTF8)));
        await test.RunAsync(CancellationToken.None);
    }

    /// <summary>
    /// Models in two files, one with a [Gradient] request, used through IBilevelKernels and the requested method:
    /// this compiles only if the generator implemented the interface and the partial method for both models
    /// (the framework fails on any compiler error, e.g. CS0266 or CS8795).
    /// </summary>
    [Fact]
    public async Task Generated_kernels_and_gradient_requests_compile_and_are_usable_from_user_code()
    {
        var scalar = new ModelSpec { Name = "ScalarModel", Namespace = "Fw", Kind = ModelKind.Scalar, Upper = Sources.ScalarUpper, Lower = Sources.ScalarLower };
        var span = new ModelSpec
        {
            Name = "SpanModel", Namespace = "Fw", Upper = Sources.SpanUpper, Lower = Sources.SpanLower,
            Members = "[Gradient(nameof(Lower))]\npublic partial double LowerGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gx, Span<double> gy);",
        };
        const string user = """
            using System;
            using BilevelDsl;

            namespace Fw;

            public static class User
            {
                public static double Run()
                {
                    IBilevelKernels a = new ScalarModel();
                    IBilevelKernels b = new SpanModel();
                    Span<double> gx = stackalloc double[3];
                    Span<double> gy = stackalloc double[3];
                    double[] x = { 1, 2, 3 };
                    double[] y = { 0.5, 0.25, 0.125 };
                    return a.UpperValue(new[] { 1.0 }, new[] { 2.0 }) + b.LowerGradient(x, y, gx, gy)
                        + new SpanModel().LowerGradient(x, y, gx, gy) + a.Info.Upper.Method.Length;
                }
            }
            """;
        var test = new BdslGeneratorTest { TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck };
        test.TestState.Sources.Add((scalar.FileName, scalar.ToSource()));
        test.TestState.Sources.Add((span.FileName, span.ToSource()));
        test.TestState.Sources.Add(("User.cs", user));
        await test.RunAsync(CancellationToken.None);
    }
}
