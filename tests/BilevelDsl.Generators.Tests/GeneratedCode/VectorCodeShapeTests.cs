using BilevelDsl.GeneratorTests.Harness;
using Microsoft.CodeAnalysis;
using Xunit;

namespace BilevelDsl.GeneratorTests.GeneratedCode;

/// <summary>What the vector constructs must look like in the generated code (speed depends on it).</summary>
public sealed class VectorCodeShapeTests
{
    private static string Generate(string lowerBody, string members = "private static Matrix M { get; } = new Matrix(2, 3, new double[6]);")
    {
        GeneratorRun run = GeneratorHarness.Run($$"""
            using System;
            using BilevelDsl;

            namespace Shapes;

            [BilevelModel]
            public partial class Shape
            {
                {{members}}

                [UpperLevel]
                public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Dsl.Dot(x, y);

                [LowerLevel]
                public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
                {
                    {{lowerBody}}
                }
            }
            """);
        return string.Concat(run.GeneratedSources.Select(s => s.SourceText.ToString()));
    }

    [Fact]
    public void A_span_alias_of_a_data_row_stays_a_span()
    {
        string code = Generate("""
            double s = 0;
            for (int i = 0; i < M.Rows; i++)
            {
                ReadOnlySpan<double> row = M.Row(i);
                for (int j = 0; j < row.Length; j++)
                {
                    s += row[j] * Math.Sin(y[j]) * x[i]; // not a vector idiom (Sin of the index), so the loop stays
                }
            }
            return s;
            """);
        Assert.Matches(@"row(_\d+)? = global::Shapes\.Shape\.M\.Row\(", code);
        Assert.DoesNotContain("global::Shapes.Shape.M[", code, StringComparison.Ordinal);
        Assert.Matches(@"row(_\d+)?\[j(_\d+)?\]", code);
    }

    [Fact]
    public void A_data_loop_with_one_accumulator_is_reversed_inside_its_forward_sweep()
    {
        string code = Generate("""
            var W = Dsl.Reshape(y, 2, 3);
            Span<double> z = stackalloc double[2];
            double loss = 0;
            for (int i = 0; i < M.Rows; i++)
            {
                Dsl.MatVec(W, M.Row(i), z);
                loss += Dsl.LogSumExp(z) * x[i];
            }
            return Math.Log(1 + loss * loss);
            """);
        int gradient = code.IndexOf("private double Lower__Gradient(", StringComparison.Ordinal);
        string body = code.Substring(gradient, code.IndexOf("private void Lower__HessianVector(", StringComparison.Ordinal) - gradient);
        Assert.Equal(1, Count(body, "_block += global::BilevelDsl.Kernels.RowBlockKernels.BlockRows)"));  // one sweep over the data, a block of rows at a time
        Assert.Equal(1, Count(body, "_block; "));                      // the per-row loop inside the block
        Assert.Equal(1, Count(body, "RowBlockKernels.MultiplyRows("));   // the block's logits before the per-row code
        Assert.Equal(1, Count(body, "RowBlockKernels.AddOuterRows("));   // its outer products after it
        Assert.Equal(0, Count(body, "AddMatVec("));
        Assert.Equal(0, Count(body, "AddOuter("));
        Assert.Contains("_bar_loop", body, StringComparison.Ordinal);  // the seeded temporaries, scaled after the loop
        Assert.DoesNotContain("_store", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Logits_of_a_top_level_loop_with_two_accumulators_are_stored_not_recomputed()
    {
        string code = Generate("""
            var W = Dsl.Reshape(y, 2, 3);
            Span<double> z = stackalloc double[2];
            double loss = 0, other = 0;
            for (int i = 0; i < M.Rows; i++)
            {
                Dsl.MatVec(W, M.Row(i), z);
                loss += Dsl.LogSumExp(z) * x[i];
                other += z[0];
            }
            return loss * other;
            """);
        int gradient = code.IndexOf("private double Lower__Gradient(", StringComparison.Ordinal);
        string body = code.Substring(gradient, code.IndexOf("private void Lower__HessianVector(", StringComparison.Ordinal) - gradient);
        Assert.Equal(1, Count(body, "RowBlockKernels.MultiplyRows("));   // forward only: the backward sweep reads the store
        Assert.Equal(1, Count(body, "RowBlockKernels.AddOuterRows("));   // the backward loop's outer products, blocked too
        Assert.Equal(0, Count(body, "AddMatVec("));
        Assert.Contains("_store = __bilevelWorkspace.Take(", body, StringComparison.Ordinal);
        Assert.DoesNotContain("stackalloc", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_products_with_a_data_row_are_blocked()
    {
        // W1 a_i is blocked (a data row); W2 h is not (h is computed per row), and neither is the outer product
        // into W2's adjoint (its right factor is h, not a data row).
        string code = Generate("""
            var W1 = Dsl.Reshape(y.Slice(0, 6), 2, 3);
            var W2 = Dsl.Reshape(y.Slice(6, 4), 2, 2);
            Span<double> h = stackalloc double[2];
            Span<double> z = stackalloc double[2];
            double loss = 0;
            for (int i = 0; i < M.Rows; i++)
            {
                Dsl.MatVec(W1, M.Row(i), h);
                Dsl.MatVec(W2, h, z);
                loss += Dsl.LogSumExp(z) * x[i];
            }
            return loss;
            """);
        int gradient = code.IndexOf("private double Lower__Gradient(", StringComparison.Ordinal);
        string body = code.Substring(gradient, code.IndexOf("private void Lower__HessianVector(", StringComparison.Ordinal) - gradient);
        Assert.Equal(1, Count(body, "RowBlockKernels.MultiplyRows("));
        Assert.Equal(1, Count(body, "RowBlockKernels.AddOuterRows("));
        Assert.Equal(1, Count(body, "KernelSupport.AddMatVec("));       // W2 h, per row
        Assert.Equal(1, Count(body, "KernelSupport.AddOuter("));        // z_bar hᵀ into W2's adjoint, per row
    }

    private static int Count(string text, string what)
    {
        int count = 0;
        for (int at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
