using System.Reflection;
using BilevelDsl.GeneratorTests.Harness;
using Xunit;

namespace BilevelDsl.GeneratorTests.Corpus;

/// <summary>The calling contract of the generated kernels, checked on every corpus model.</summary>
public sealed class KernelContractTests
{
    [Theory]
    [MemberData(nameof(CorpusModels.Names), MemberType = typeof(CorpusModels))]
    public async Task Gradients_overwrite_the_output_spans(string name)
    {
        ModelSpec spec = CorpusModels.Get(name);
        IBilevelKernels kernels = (await CorpusCompilation.GetAsync()).CreateKernels(spec);
        var rng = new Random(CorpusTests.StableSeed(name) + 1);
        double[] x = FiniteDifference.RandomPoint(rng, spec.EffectiveXLength, spec.Range);
        double[] y = FiniteDifference.RandomPoint(rng, spec.EffectiveYLength, spec.Range);
        foreach (Level level in new[] { Level.Upper, Level.Lower })
        {
            var cleanX = new double[x.Length];
            var cleanY = new double[y.Length];
            GradientChecker.Gradient(kernels, level, x, y, cleanX, cleanY);
            foreach (double garbage in new[] { double.NaN, 1e300, -7.5, double.NegativeInfinity })
            {
                double[] gx = Enumerable.Repeat(garbage, x.Length).ToArray();
                double[] gy = Enumerable.Repeat(garbage, y.Length).ToArray();
                GradientChecker.Gradient(kernels, level, x, y, gx, gy);
                Assert.True(cleanX.SequenceEqual(gx) && cleanY.SequenceEqual(gy),
                    $"{spec} {level}Gradient accumulates into pre-filled spans ({garbage}): " +
                    $"from zeros {GradientChecker.Format(cleanX)} {GradientChecker.Format(cleanY)}, " +
                    $"pre-filled {GradientChecker.Format(gx)} {GradientChecker.Format(gy)}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(CorpusModels.Names), MemberType = typeof(CorpusModels))]
    public async Task Gradient_spans_of_the_wrong_length_throw_ArgumentException(string name)
    {
        ModelSpec spec = CorpusModels.Get(name);
        IBilevelKernels kernels = (await CorpusCompilation.GetAsync()).CreateKernels(spec);
        double[] x = new double[spec.EffectiveXLength];
        double[] y = new double[spec.EffectiveYLength];
        foreach (Level level in new[] { Level.Upper, Level.Lower })
        {
            foreach ((int dx, int dy) in new[] { (1, 0), (-1, 0), (0, 1), (0, -1) })
            {
                int gxLength = x.Length + dx;
                int gyLength = y.Length + dy;
                if (gxLength < 0 || gyLength < 0)
                {
                    continue;
                }

                var gx = new double[gxLength];
                var gy = new double[gyLength];
                var e = Record.Exception(() => GradientChecker.Gradient(kernels, level, x, y, gx, gy));
                Assert.True(e is ArgumentException,
                    $"{spec} {level}Gradient with x[{x.Length}], y[{y.Length}], gradX[{gxLength}], gradY[{gyLength}]: expected ArgumentException, got {e?.GetType().Name ?? "no exception"}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ScalarNames))]
    public async Task Scalar_models_reject_spans_whose_length_is_not_1(string name)
    {
        ModelSpec spec = CorpusModels.Get(name);
        IBilevelKernels kernels = (await CorpusCompilation.GetAsync()).CreateKernels(spec);
        foreach ((int xl, int yl) in new[] { (2, 1), (1, 2), (0, 1), (1, 0) })
        {
            var x = new double[xl];
            var y = new double[yl];
            var calls = new (string Name, Action Call)[]
            {
                ("UpperValue", () => kernels.UpperValue(x, y)),
                ("LowerValue", () => kernels.LowerValue(x, y)),
                ("UpperGradient", () => kernels.UpperGradient(x, y, new double[xl], new double[yl])),
                ("LowerGradient", () => kernels.LowerGradient(x, y, new double[xl], new double[yl])),
            };
            foreach ((string kernel, Action call) in calls)
            {
                var e = Record.Exception(call);
                Assert.True(e is ArgumentException,
                    $"{spec}.{kernel} with x[{xl}], y[{yl}]: expected ArgumentException, got {e?.GetType().Name ?? "no exception"}");
            }
        }
    }

    public static TheoryData<string> ScalarNames()
    {
        var data = new TheoryData<string>();
        foreach (ModelSpec m in CorpusModels.All.Where(m => m.Kind == ModelKind.Scalar))
        {
            data.Add(m.Name);
        }

        return data;
    }

    [Fact]
    public async Task Kernels_allocate_nothing_after_warm_up()
    {
        ModelBatch batch = await CorpusCompilation.GetAsync();
        var offenders = new List<string>();
        foreach (ModelSpec spec in CorpusModels.All)
        {
            IBilevelKernels kernels = batch.CreateKernels(spec);
            var rng = new Random(3);
            double[] x = FiniteDifference.RandomPoint(rng, spec.EffectiveXLength, spec.Range);
            double[] y = FiniteDifference.RandomPoint(rng, spec.EffectiveYLength, spec.Range);
            var gx = new double[x.Length];
            var gy = new double[y.Length];
            double sink = 0;
            for (int i = 0; i < 200; i++)
            {
                sink += kernels.UpperGradient(x, y, gx, gy) + kernels.LowerGradient(x, y, gx, gy);
                sink += kernels.UpperValue(x, y) + kernels.LowerValue(x, y);
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                sink += kernels.UpperGradient(x, y, gx, gy);
                sink += kernels.LowerGradient(x, y, gx, gy);
            }

            long gradientBytes = GC.GetAllocatedBytesForCurrentThread() - before;
            before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                sink += kernels.UpperValue(x, y) + kernels.LowerValue(x, y);
            }

            long valueBytes = GC.GetAllocatedBytesForCurrentThread() - before;
            if (gradientBytes != 0 || valueBytes != 0)
            {
                offenders.Add($"{spec}: {gradientBytes} bytes in 200 gradient calls, {valueBytes} bytes in 200 value calls");
            }

            GC.KeepAlive(sink);
        }

        Assert.True(offenders.Count == 0, string.Join(Environment.NewLine, offenders));
    }

    [Fact]
    public async Task Gradient_requests_of_a_span_model_equal_the_interface_kernels()
    {
        ModelSpec spec = CorpusModels.Get("V24_GradientRequest");
        ModelBatch batch = await CorpusCompilation.GetAsync();
        IBilevelKernels kernels = batch.CreateKernels(spec, out object instance);
        var rng = new Random(5);
        foreach ((string method, Level level) in new[] { ("LowerGrad", Level.Lower), ("UpperGrad", Level.Upper) })
        {
            SpanGradient request = Method(instance, method).CreateDelegate<SpanGradient>(instance);
            for (int p = 0; p < 3; p++)
            {
                double[] x = FiniteDifference.RandomPoint(rng, 3, 1);
                double[] y = FiniteDifference.RandomPoint(rng, 3, 1);
                double[] gx = new double[3], gy = new double[3], ex = new double[3], ey = new double[3];
                double value = request(x, y, gx, gy);
                double expected = GradientChecker.Gradient(kernels, level, x, y, ex, ey);
                Assert.Equal(expected, value);
                Assert.Equal(ex, gx);
                Assert.Equal(ey, gy);
            }

            Assert.Throws<ArgumentException>(() => request(new double[3], new double[3], new double[2], new double[3]));
        }
    }

    [Fact]
    public async Task Gradient_requests_of_a_scalar_model_equal_the_interface_kernels()
    {
        ModelSpec spec = CorpusModels.Get("S19_GradientRequest");
        ModelBatch batch = await CorpusCompilation.GetAsync();
        IBilevelKernels kernels = batch.CreateKernels(spec, out object instance);
        var rng = new Random(6);
        foreach ((string method, Level level) in new[] { ("LowerGrad", Level.Lower), ("UpperGrad", Level.Upper) })
        {
            ScalarGradient request = Method(instance, method).CreateDelegate<ScalarGradient>(instance);
            for (int p = 0; p < 3; p++)
            {
                double x = 2 * rng.NextDouble() - 1, y = 2 * rng.NextDouble() - 1;
                double value = request(x, y, out double gx, out double gy);
                double[] ex = new double[1], ey = new double[1];
                double expected = GradientChecker.Gradient(kernels, level, new[] { x }, new[] { y }, ex, ey);
                Assert.Equal(expected, value);
                Assert.Equal(ex[0], gx);
                Assert.Equal(ey[0], gy);
            }
        }
    }

    private static MethodInfo Method(object instance, string name) =>
        instance.GetType().GetMethod(name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException($"{instance.GetType()} has no method {name} (was the [Gradient] request implemented?)");
}
