using System.Reflection;
using BilevelDsl.Kernels;
using Xunit;

namespace BilevelDsl.Tests;

/// <summary>
/// <see cref="DelegatingKernels"/> forwards every member of <see cref="IBilevelKernels"/>, each one overridable: checked
/// by reflection over the interface (so a member added to the interface later fails here until the base forwards it)
/// and by calling every member through a wrapper that overrides nothing, against a model that records its calls.
/// </summary>
public sealed class DelegatingKernelsTests
{
    private static readonly string[] InterfaceMembers =
        [.. typeof(IBilevelKernels).GetMethods().Select(m => m.Name.StartsWith("get_", StringComparison.Ordinal) ? m.Name[4..] : m.Name).Order(StringComparer.Ordinal)];

    [Fact]
    public void Every_interface_member_is_a_virtual_member_of_the_base()
    {
        InterfaceMapping map = typeof(DelegatingKernels).GetInterfaceMap(typeof(IBilevelKernels));
        Assert.Equal(16, map.InterfaceMethods.Length); // 14 methods and the getters of Info and LowerConstraintCount
        foreach (MethodInfo target in map.TargetMethods)
        {
            Assert.True(target.DeclaringType == typeof(DelegatingKernels), $"{target.Name} is not implemented by DelegatingKernels itself");
            Assert.True(target.IsPublic && target.IsVirtual && !target.IsFinal, $"{target.Name} cannot be overridden");
            Assert.False(target.IsAbstract, $"{target.Name} does not forward");
        }

        Assert.True(typeof(DelegatingKernels).IsAbstract);
        Assert.Throws<ArgumentNullException>(() => new PassThrough(null!));
    }

    [Fact]
    public void Every_member_calls_the_inner_model_with_the_same_arguments_and_returns_its_result()
    {
        var inner = new RecordingModel();
        IBilevelKernels wrapper = new PassThrough(inner);
        double[] x = [1.5], y = [-2.0], vx = [0.25], vy = [4.0];
        double[] gx = new double[1], gy = new double[1], hx = new double[1], hy = new double[1];

        Assert.Same(inner.ModelInfo, wrapper.Info);
        Assert.Equal(2, wrapper.LowerConstraintCount);
        Assert.Equal(RecordingModel.Value(1, x, y), wrapper.UpperValue(x, y));
        Assert.Equal(RecordingModel.Value(2, x, y), wrapper.LowerValue(x, y));
        Assert.Equal(RecordingModel.Value(3, x, y), wrapper.UpperGradient(x, y, gx, gy));
        Assert.Equal((3.0, 3.0), (gx[0], gy[0]));
        Assert.Equal(RecordingModel.Value(4, x, y), wrapper.LowerGradient(x, y, gx, gy));
        Assert.Equal((4.0, 4.0), (gx[0], gy[0]));
        wrapper.UpperHessianVector(x, y, vx, vy, hx, hy);
        Assert.Equal((5 * vx[0], 5 * vy[0]), (hx[0], hy[0]));
        wrapper.LowerHessianVector(x, y, vx, vy, hx, hy);
        Assert.Equal((6 * vx[0], 6 * vy[0]), (hx[0], hy[0]));
        Assert.Equal(RecordingModel.Value(7, x, y), wrapper.UpperValueGradientHessianVector(x, y, vx, vy, gx, gy, hx, hy));
        Assert.Equal((7.0, 7.0, 7 * vx[0], 7 * vy[0]), (gx[0], gy[0], hx[0], hy[0]));
        Assert.Equal(RecordingModel.Value(8, x, y), wrapper.LowerValueGradientHessianVector(x, y, vx, vy, gx, gy, hx, hy));
        Assert.Equal((8.0, 8.0, 8 * vx[0], 8 * vy[0]), (gx[0], gy[0], hx[0], hy[0]));
        Assert.Same(inner.Smoothed, wrapper.WithSmoothing(0.5));
        Assert.Equal(0.5, inner.LastMu);
        double[] p = [3.0];
        wrapper.ProjectUpper(p);
        Assert.Equal(-3.0, p[0]);
        wrapper.ProjectLower(p);
        Assert.Equal(3.0, p[0]);
        Assert.Equal(RecordingModel.Value(11, x, y) + 1, wrapper.LowerConstraintValue(1, x, y));
        Assert.Equal(RecordingModel.Value(12, x, y) + 1, wrapper.LowerConstraintGradient(1, x, y, gx, gy));
        Assert.Equal((12.0, 12.0), (gx[0], gy[0]));
        wrapper.LowerConstraintHessianVector(1, x, y, vx, vy, hx, hy);
        Assert.Equal((13 * vx[0], 13 * vy[0]), (hx[0], hy[0]));

        // Every member was called once, and nothing else: the calls above cover the whole interface.
        Assert.Equal(InterfaceMembers, inner.Calls.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_override_replaces_one_member_and_forwarding_allocates_nothing()
    {
        var inner = new RecordingModel();
        var counting = new CountingLowerGradients(inner);
        double[] x = [1.0], y = [2.0], gx = new double[1], gy = new double[1];
        for (int i = 0; i < 3; i++)
        {
            counting.LowerGradient(x, y, gx, gy);
        }

        counting.UpperGradient(x, y, gx, gy);
        Assert.Equal(3, counting.LowerGradients);
        Assert.Equal(4, inner.Calls.Count);

        inner.Recording = false;
        Assert.Equal(0, AllocationMeter.Least(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                counting.UpperGradient(x, y, gx, gy);
                counting.LowerGradient(x, y, gx, gy);
            }
        }));
    }

    private sealed class PassThrough(IBilevelKernels inner) : DelegatingKernels(inner);

    private sealed class CountingLowerGradients(IBilevelKernels inner) : DelegatingKernels(inner)
    {
        public int LowerGradients { get; private set; }

        public override double LowerGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
        {
            LowerGradients++;
            return base.LowerGradient(x, y, gradX, gradY);
        }
    }

    /// <summary>A model whose member number k returns <see cref="Value"/>(k, x, y), writes k into gradients and k times the
    /// direction into Hessian-vector outputs, and records its name.</summary>
    private sealed class RecordingModel : IBilevelKernels
    {
        public List<string> Calls { get; } = [];

        public bool Recording { get; set; } = true;

        public ModelInfo ModelInfo { get; } = new(new LevelInfo("Upper", []), new LevelInfo("Lower", []), 2, false, false);

        public IBilevelKernels Smoothed => this;

        public double LastMu { get; private set; }

        public ModelInfo Info => Record(ModelInfo);

        public int LowerConstraintCount => Record(2);

        public static double Value(int member, ReadOnlySpan<double> x, ReadOnlySpan<double> y) => member + (100 * x[0]) + (10_000 * y[0]);

        public double UpperValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Record(Value(1, x, y));

        public double LowerValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Record(Value(2, x, y));

        public double UpperGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY) => Record(Gradient(3, x, y, gradX, gradY));

        public double LowerGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY) => Record(Gradient(4, x, y, gradX, gradY));

        public void UpperHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy) =>
            Record(Hvp(5, vx, vy, hx, hy));

        public void LowerHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy) =>
            Record(Hvp(6, vx, vy, hx, hy));

        public double UpperValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy) =>
            Record(Hvp(7, vx, vy, hx, hy) + Gradient(7, x, y, gradX, gradY) - 7);

        public double LowerValueGradientHessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> gradX, Span<double> gradY, Span<double> hx, Span<double> hy) =>
            Record(Hvp(8, vx, vy, hx, hy) + Gradient(8, x, y, gradX, gradY) - 8);

        public IBilevelKernels WithSmoothing(double mu)
        {
            LastMu = mu;
            return Record(Smoothed);
        }

        public void ProjectUpper(Span<double> x) => x[0] = Record(-x[0]);

        public void ProjectLower(Span<double> y) => y[0] = Record(-y[0]);

        public double LowerConstraintValue(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Record(Value(11, x, y) + j);

        public double LowerConstraintGradient(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY) =>
            Record(Gradient(12, x, y, gradX, gradY) + j);

        public void LowerConstraintHessianVector(int j, ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy) =>
            Record(Hvp(13, vx, vy, hx, hy));

        private static double Hvp(int member, ReadOnlySpan<double> vx, ReadOnlySpan<double> vy, Span<double> hx, Span<double> hy)
        {
            hx[0] = member * vx[0];
            hy[0] = member * vy[0];
            return member;
        }

        private static double Gradient(int member, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
        {
            gradX[0] = member;
            gradY[0] = member;
            return Value(member, x, y);
        }

        /// <summary>Records the calling interface member (by its caller name) and passes <paramref name="result"/> through.</summary>
        private T Record<T>(T result, [System.Runtime.CompilerServices.CallerMemberName] string member = "")
        {
            if (Recording)
            {
                Calls.Add(member);
            }

            return result;
        }
    }
}
