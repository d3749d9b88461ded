using BilevelDsl.Solvers;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.Tests.Solvers;

/// <summary>F = (x - 1)^2 + 1/2 ||y - (2, 2)||^2, f = 1/2 ||y - (x, x)||^2 (y needs two entries): x* = 1.5, y* = (1.5, 1.5).</summary>
[BilevelModel]
public partial class DriverToy
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        ((x[0] - 1.0) * (x[0] - 1.0)) + (0.5 * (((y[0] - 2.0) * (y[0] - 2.0)) + ((y[1] - 2.0) * (y[1] - 2.0))));

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        0.5 * (((y[0] - x[0]) * (y[0] - x[0])) + ((y[1] - x[0]) * (y[1] - x[0])));
}

/// <summary><see cref="DriverToy"/> with y in the box [-5, 5]^2 (a compact lower domain, for SGM and IGFM).</summary>
[BilevelModel]
[LowerBounds(-5.0, 5.0)]
public partial class DriverBoxToy
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        ((x[0] - 1.0) * (x[0] - 1.0)) + (0.5 * (((y[0] - 2.0) * (y[0] - 2.0)) + ((y[1] - 2.0) * (y[1] - 2.0))));

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        0.5 * (((y[0] - x[0]) * (y[0] - x[0])) + ((y[1] - x[0]) * (y[1] - x[0])));
}

/// <summary>
/// What the one iteration driver guarantees for every solver (issue 11, runtime part): lengths checked before the method's
/// first kernel call, a throwing kernel reported as InvalidInput with the model's message, the caller's progress exceptions
/// propagated unchanged, history storage growing with the iterations run, a certificate on every converged result.
/// </summary>
public sealed class DriverTests(ITestOutputHelper output)
{
    public static TheoryData<string> AllSolvers() =>
        ["aid-cg", "aid-neumann", "rhg", "trhg", "fhg", "bda", "bvfim", "bome", "sgm", "igfm", "spnbo", "smnbp", "penalty", "cccp"];

    public static TheoryData<string> SolversWithAnIterationLimit() =>
        ["aid-cg", "aid-neumann", "rhg", "trhg", "fhg", "bda", "bvfim", "bome", "igfm", "penalty", "cccp"];

    private static bool NeedsCompactDomain(string name) => name is "sgm" or "igfm";

    private static IBilevelKernels Model(string name) => NeedsCompactDomain(name) ? new DriverBoxToy() : new DriverToy();

    internal static IBilevelSolver Create(string name, int maxIterations = 0, XProjection? recordX = null) => name switch
    {
        "aid-cg" => new AidCgSolver(Recording(maxIterations > 0 ? new AidCgOptions { MaxIterations = maxIterations } : new AidCgOptions(), recordX)),
        "aid-neumann" => new AidNeumannSolver(Recording(maxIterations > 0 ? new AidNeumannOptions { MaxIterations = maxIterations } : new AidNeumannOptions(), recordX)),
        "rhg" => new RhgSolver(Recording(maxIterations > 0 ? new RhgOptions { MaxIterations = maxIterations } : new RhgOptions(), recordX)),
        "trhg" => new TrhgSolver(Recording(maxIterations > 0 ? new TrhgOptions { MaxIterations = maxIterations } : new TrhgOptions(), recordX)),
        "fhg" => new FhgSolver(Recording(maxIterations > 0 ? new FhgOptions { MaxIterations = maxIterations } : new FhgOptions(), recordX)),
        "bda" => new BdaSolver(Recording(maxIterations > 0 ? new BdaOptions { MaxIterations = maxIterations } : new BdaOptions(), recordX)),
        "bvfim" => new BvfimSolver(Recording(maxIterations > 0 ? new BvfimOptions { MaxIterations = maxIterations } : new BvfimOptions(), recordX)),
        "bome" => new BomeSolver(Recording(maxIterations > 0 ? new BomeOptions { MaxIterations = maxIterations } : new BomeOptions(), recordX)),
        "igfm" => new IgfmSolver(Recording(maxIterations > 0 ? new IgfmOptions { MaxIterations = maxIterations } : new IgfmOptions(), recordX)),
        "penalty" => new PenaltySolver(Recording(maxIterations > 0 ? new PenaltyOptions { MaxIterations = maxIterations } : new PenaltyOptions(), recordX)),
        "cccp" => new CccpSolver(Recording(maxIterations > 0 ? new CccpOptions { MaxIterations = maxIterations } : new CccpOptions(), recordX)),
        "sgm" => new SgmSolver(Recording(new SgmOptions(), recordX)),
        "spnbo" => new SpnboSolver(Recording(new SpnboOptions(), recordX)),
        "smnbp" => new SmnbpSolver(Recording(new SmnbpOptions(), recordX)),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown solver"),
    };

    private static T Recording<T>(T options, XProjection? recordX)
        where T : SolverOptions => recordX is null ? options : (T)(options with { RecordX = recordX });

    [Theory]
    [MemberData(nameof(AllSolvers))]
    public void TheNameIsTheMethodsLowerCaseDashedName(string name) => Assert.Equal(name, Create(name).Name);

    [Theory]
    [MemberData(nameof(AllSolvers))]
    public void AShortY0IsInvalidInputBeforeAnyMethodRuns(string name)
    {
        BilevelResult r = Create(name).Solve(Model(name), [0.0], [0.0]);
        output.WriteLine(r.Message);
        Assert.Equal(SolverStatus.InvalidInput, r.Status);
        Assert.Contains("y0 has length 1", r.Message, StringComparison.Ordinal);
        Assert.Equal(0, r.Iterations);
        Assert.Equal([0.0], r.Y);
    }

    [Theory]
    [MemberData(nameof(AllSolvers))]
    public void ANonFiniteStartIsInvalidInput(string name)
    {
        BilevelResult r = Create(name).Solve(Model(name), [double.NaN], [0.0, 0.0]);
        Assert.Equal(SolverStatus.InvalidInput, r.Status);
        Assert.Contains("x0[0] is NaN", r.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllSolvers))]
    public void AKernelThatThrowsIsInvalidInputWithTheModelsMessage(string name)
    {
        var model = new ThrowingKernels(Model(name), healthyCalls: 3);
        BilevelResult r = Create(name).Solve(model, [0.0], [0.0, 0.0]);
        output.WriteLine(r.Message);
        Assert.Equal(SolverStatus.InvalidInput, r.Status);
        Assert.Contains(nameof(InvalidOperationException), r.Message, StringComparison.Ordinal);
        Assert.Contains(ThrowingKernels.Failure, r.Message, StringComparison.Ordinal);
        Assert.True(model.Thrown);
    }

    [Theory]
    [MemberData(nameof(AllSolvers))]
    public void AnExceptionFromTheCallersProgressPropagatesUnchanged(string name)
    {
        var thrown = new ProgressFailure();
        var progress = new RecordingProgress(_ => throw thrown);
        ProgressFailure caught = Assert.Throws<ProgressFailure>(() => Create(name).Solve(Model(name), [0.0], [0.0, 0.0], progress));
        Assert.Same(thrown, caught);
    }

    [Theory]
    [MemberData(nameof(SolversWithAnIterationLimit))]
    public void HistoryStorageGrowsWithTheIterationsRunNotWithTheLimit(string name)
    {
        IBilevelKernels model = Model(name);
        Create(name, 100_000).Solve(model, [0.0], [0.0, 0.0]); // warm-up (JIT, static initialisers)
        long bounded = Allocated(() => Create(name, 100_000).Solve(model, [0.0], [0.0, 0.0]), out BilevelResult a);
        long unlimited = Allocated(() => Create(name, int.MaxValue).Solve(model, [0.0], [0.0, 0.0]), out BilevelResult b);
        output.WriteLine($"{name}: {a.Status} after {a.Iterations} iterations; MaxIterations 100000: {bounded} B, int.MaxValue: {unlimited} B");
        Assert.NotEqual(SolverStatus.IterationLimit, b.Status);
        Assert.Equal(a.Iterations, b.Iterations);
        Assert.Equal(a.Iterations, b.History.Count);
        Assert.True(Math.Abs(unlimited - bounded) < 4096, $"{name}: {bounded} B with MaxIterations = 100000, {unlimited} B with int.MaxValue");
    }

    [Theory]
    [MemberData(nameof(AllSolvers))]
    public void AConvergedResultCarriesAPassedCertificate(string name)
    {
        BilevelResult r = Create(name).Solve(Model(name), [0.0], [0.0, 0.0]);
        output.WriteLine($"{name}: {r.Status}, x = {r.X[0]}, {r.Message}");
        if (r.Status == SolverStatus.Converged)
        {
            Assert.NotNull(r.Certificate);
            Assert.True(r.Certificate.Passed);
            Assert.Null(r.Certificate.FailedCheck);
            double allowed = name == "cccp" ? 1.1e-4 : 1e-6; // CCCP-BO solves the epsilon-relaxed problem (Epsilon = 1e-4)
            Assert.True(r.Certificate.LowerGap <= allowed, $"gap {r.Certificate.LowerGap}");
            Assert.Contains("lower-level optimality gap", r.Certificate.Checks);
            Assert.True(r.Certificate.Elapsed <= r.Elapsed);
        }
    }

    [Fact]
    public void TheCertificateCanBeTurnedOff()
    {
        BilevelResult r = new AidCgSolver(new AidCgOptions { Certificate = CertificateOptions.Off }).Solve(new DriverToy(), [0.0], [0.0, 0.0]);
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.Null(r.Certificate);
    }

    private static long Allocated(Func<BilevelResult> solve, out BilevelResult result)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        result = solve();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private sealed class ProgressFailure : Exception
    {
        public ProgressFailure()
            : base("the caller's progress sink failed")
        {
        }
    }
}

/// <summary>ModelInfo is what every instance of a model reports: nothing a caller holds can change it.</summary>
public sealed class ModelInfoImmutabilityTests
{
    [Fact]
    public void NonsmoothTermsCannotBeOverwrittenThroughACast()
    {
        IBilevelKernels model = new SoftThresholdModel();
        IReadOnlyList<NonsmoothTerm> terms = model.Info.Lower.NonsmoothTerms;
        Assert.NotEmpty(terms);
        Assert.False(terms is NonsmoothTerm[], "the generator's static array must not be handed out");
        Assert.Throws<NotSupportedException>(() => ((IList<NonsmoothTerm>)terms)[0] = new NonsmoothTerm("Abs", "nowhere", "forged"));
        Assert.Equal(terms[0], ((IBilevelKernels)new SoftThresholdModel()).Info.Lower.NonsmoothTerms[0]);
    }

    [Fact]
    public void TheTermsAreCopiedFromTheArrayGiven()
    {
        NonsmoothTerm[] given = [new("Abs", "m.cs(1,1)", "Dsl.Abs(y[0])")];
        var level = new LevelInfo("Lower", given);
        given[0] = new NonsmoothTerm("Max", "elsewhere", "changed");
        Assert.Equal("Abs", level.NonsmoothTerms[0].Primitive);
    }
}
