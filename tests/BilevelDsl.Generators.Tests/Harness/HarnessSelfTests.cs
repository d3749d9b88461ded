using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace BilevelDsl.GeneratorTests.Harness;

/// <summary>The checkers themselves: they must catch what they are meant to catch, or the other tests prove nothing.</summary>
public sealed class HarnessSelfTests
{
    private static double F(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Math.Sin(x[0]) * y[0] + x[1] * x[1] * y[1];

    private static double CorrectGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gx, Span<double> gy)
    {
        gx[0] = Math.Cos(x[0]) * y[0];
        gx[1] = 2 * x[1] * y[1];
        gy[0] = Math.Sin(x[0]);
        gy[1] = x[1] * x[1];
        return F(x, y);
    }

    [Fact]
    public void The_gradient_checker_accepts_a_correct_gradient()
    {
        var rng = new Random(1);
        PointCheck check = GradientChecker.Check(F, CorrectGradient, "F", new[] { 0.3, -0.7 }, new[] { 1.2, 0.4 }, rng);
        Assert.True(check.IsSmooth);
        Assert.Empty(check.Mismatches);
    }

    [Fact]
    public void The_gradient_checker_catches_one_wrong_component_and_NaN()
    {
        var rng = new Random(2);
        PointCheck wrong = GradientChecker.Check(F, (x, y, gx, gy) =>
        {
            double v = CorrectGradient(x, y, gx, gy);
            gy[1] *= 1 + 1e-5; // a relative error of 1e-5, ten times the tolerance
            return v;
        }, "F", new[] { 0.3, -0.7 }, new[] { 1.2, 0.4 }, rng);
        Assert.Contains(wrong.Mismatches, m => m.Contains("d/dy[1]", StringComparison.Ordinal));
        Assert.DoesNotContain(wrong.Mismatches, m => m.Contains("d/dx[0]", StringComparison.Ordinal));

        PointCheck nan = GradientChecker.Check(F, (x, y, gx, gy) =>
        {
            double v = CorrectGradient(x, y, gx, gy);
            gx[0] = double.NaN;
            return v;
        }, "F", new[] { 0.3, -0.7 }, new[] { 1.2, 0.4 }, rng);
        Assert.Contains(nan.Mismatches, m => m.Contains("d/dx[0]", StringComparison.Ordinal));
    }

    [Fact]
    public void Finite_differences_are_accurate_and_flag_kinks()
    {
        (double[] dx, double[] dy) = FiniteDifference.Coordinate(0, 1, 1);
        DirectionalEstimate exp = FiniteDifference.Directional((x, y) => Math.Exp(3 * x[0]) * y[0], new[] { 0.5 }, new[] { 2.0 }, dx, dy);
        Assert.True(exp.Smooth);
        Assert.True(FiniteDifference.RelativeError(exp.Value, 6 * Math.Exp(1.5)) < 1e-9);

        DirectionalEstimate kink = FiniteDifference.Directional((x, _) => Math.Abs(x[0]), new[] { 5e-5 }, new[] { 0.0 }, dx, dy);
        Assert.False(kink.Smooth);
        DirectionalEstimate jump = FiniteDifference.Directional((x, _) => x[0] > 0 ? 1 : 0, new[] { 2e-5 }, new[] { 0.0 }, dx, dy);
        Assert.False(jump.Smooth);
        DirectionalEstimate infinite = FiniteDifference.Directional((x, _) => Math.Log(x[0]), new[] { 0.0 }, new[] { 0.0 }, dx, dy);
        Assert.False(infinite.Smooth);

        // A huge finite value hides an O(1) slope in its last bit: the estimate is 0 and must not be trusted.
        DirectionalEstimate huge = FiniteDifference.Directional((x, y) => 1e110 * y[0] + x[0], new[] { 0.5 }, new[] { 2.0 }, dx, dy);
        Assert.True(huge.Smooth);
        Assert.False(huge.Resolved);
        Assert.True(exp.Resolved);
    }

    [Fact]
    public void A_direction_the_differences_cannot_resolve_is_skipped_and_counted_never_compared()
    {
        // A mutant that adds double.MaxValue / 2: every O(1) slope is below the value's last bit. Even a wrong
        // gradient (0 here) must then show up as unresolved and not compared, never as a checked direction.
        SpanObjective f = (x, y) => double.MaxValue / 2 + x[0] * y[0];
        SpanGradient wrong = (x, y, gx, gy) =>
        {
            gx[0] = 0;
            gy[0] = 0;
            return f(x, y);
        };
        PointCheck check = GradientChecker.Check(f, wrong, "Upper", new[] { 0.5 }, new[] { 0.25 }, new Random(1), randomDirections: 2);
        Assert.Equal(0, check.Compared);
        Assert.Equal(4, check.Unresolved);
        Assert.Empty(check.Mismatches);
        Assert.False(check.IsSmooth);
    }

    [Fact]
    public void A_gradient_component_beyond_the_double_range_is_unresolved_unless_its_coordinate_says_otherwise()
    {
        // Mut2164: f = 1.7 * double.MaxValue * x + y. df/dx = 1.7 * double.MaxValue is +inf in doubles (the exact
        // kernel's answer); g . d is then inf for every random direction, although the directional derivative
        // is finite. Those directions are unresolved, and so is the coordinate x (its differences overflow).
        SpanObjective f = (x, y) => 1.7 * x[0] * double.MaxValue + y[0];
        SpanGradient exact = (x, y, gx, gy) =>
        {
            gx[0] = 1.7 * double.MaxValue;
            gy[0] = 1;
            return f(x, y);
        };
        PointCheck check = GradientChecker.Check(f, exact, "Upper", new[] { -0.03 }, new[] { 0.5 }, new Random(1), randomDirections: 2);
        Assert.Empty(check.Mismatches);
        Assert.Equal(0, check.Compared); // |f| ~ 1e307 hides d/dy = 1 as well
        Assert.Equal(4, check.NonSmooth.Count);
        Assert.Contains(check.NonSmooth, m => m.StartsWith("random direction", StringComparison.Ordinal));

        // A kernel that is infinite where the derivative is finite is caught by that coordinate.
        SpanObjective g = (x, y) => 1e300 * x[0] + y[0];
        SpanGradient wrong = (x, y, gx, gy) =>
        {
            gx[0] = double.PositiveInfinity;
            gy[0] = 1;
            return g(x, y);
        };
        PointCheck caught = GradientChecker.Check(g, wrong, "Upper", new[] { 0.5 }, new[] { 0.5 }, new Random(1), randomDirections: 2);
        Assert.Contains(caught.Mismatches, m => m.Contains("d/dx[0]", StringComparison.Ordinal));
    }

    [Fact]
    public void The_relative_error_is_absolute_near_zero_and_relative_for_large_values()
    {
        Assert.Equal(1e-7, FiniteDifference.RelativeError(0, 1e-7), 15);
        Assert.Equal(1e-7, FiniteDifference.RelativeError(1e6, 1e6 * (1 + 1e-7)), 12);
        Assert.Equal(0, FiniteDifference.RelativeError(double.NaN, double.NaN));
        Assert.True(double.IsNaN(FiniteDifference.RelativeError(double.NaN, 1)));
    }

    private sealed record Holder(string Name, IReadOnlyList<(int, object)> Items);

    [Fact]
    public void The_step_output_walker_finds_roslyn_objects_wherever_they_hide()
    {
        var node = SyntaxFactory.ParseExpression("1 + 2");
        var nested = new Holder("a", new List<(int, object)> { (1, "text"), (2, new object[] { node }) });
        Assert.Contains(Incrementality.StepOutputWalker.FindForbidden(nested), p => p.Contains("SyntaxNode", StringComparison.Ordinal));
        Assert.Contains(Incrementality.StepOutputWalker.FindForbidden((1, node.GetLocation())), p => p.Contains("Location", StringComparison.Ordinal));
        Assert.Empty(Incrementality.StepOutputWalker.FindForbidden(new Holder("clean", new List<(int, object)> { (1, "x"), (2, new[] { 1.0 }) })));
        Assert.Contains("text", Incrementality.StepOutputWalker.Strings(nested));
    }
}
