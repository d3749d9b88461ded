using BilevelDsl.Kernels;
using BilevelDsl.Solvers;
using BilevelDsl.Solvers.Inner;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.Tests.Solvers;

/// <summary>
/// Statuses: a model that breaks a method's assumptions is refused with a message naming the user's term; an unsolved lower
/// level is LowerLevelNotConverged; NaN/Inf is Diverged; cancellation, invalid input and the iteration limit have their own
/// statuses; history, progress and memory behave as documented.
/// </summary>
public class HonestBehaviourTests(ITestOutputHelper output)
{
    public static TheoryData<string> Methods => Family.All();

    [Theory]
    [MemberData(nameof(Methods))]
    public void NonsmoothLowerLevelWithoutSmoothingIsAnAssumptionViolation(string method)
    {
        BilevelResult r = Family.Create(method, 0.1).Solve(new SoftThresholdModel(), [1.0], [0.0]);
        output.WriteLine(r.Message);
        Assert.Equal(SolverStatus.AssumptionViolated, r.Status);
        Assert.Equal(0, r.Iterations);
        Assert.Contains("Dsl.Abs(y[0])", r.Message);         // the user's term
        Assert.Contains("SolverModels.cs", r.Message);       // where it is
        Assert.Contains("WithSmoothing", r.Message);         // what to do
        Assert.Contains("Smoothing = mu > 0", r.Message);
        Assert.Equal([1.0], r.X);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void NonsmoothLowerLevelWithSmoothingIsSolved(string method)
    {
        // Exact problem: y*(x) = x - 1/2 for x > 1/2 (soft threshold), phi = (x - 5/2)^2 + x^2 / 10, x* = 2.5 / 1.1.
        // The mu = 1e-4 smoothing moves the answer by O(mu).
        IBilevelSolver solver = method switch
        {
            "AID-CG" => new AidCgSolver(new AidCgOptions { Smoothing = 1e-4 }),
            "AID-Neumann" => new AidNeumannSolver(new AidNeumannOptions { Smoothing = 1e-4 }),
            "RHG" => new RhgSolver(new RhgOptions { Smoothing = 1e-4 }),
            "TRHG" => new TrhgSolver(new TrhgOptions { Smoothing = 1e-4 }),
            "FHG" => new FhgSolver(new FhgOptions { Smoothing = 1e-4 }),
            "BDA" => new BdaSolver(new BdaOptions { Smoothing = 1e-4 }),
            _ => new PenaltySolver(new PenaltyOptions { Smoothing = 1e-4 }),
        };
        BilevelResult r = solver.Solve(new SoftThresholdModel(), [1.0], [0.0]);
        output.WriteLine($"{method}: x = {r.X[0]:R}, y = {r.Y[0]:R}, {r.Status}: {r.Message}");
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.Equal(2.5 / 1.1, r.X[0], 1e-3);
        Assert.Equal((2.5 / 1.1) - 0.5, r.Y[0], 1e-3);
        // values are those of the exact model
        Assert.Equal((0.5 * (r.Y[0] - r.X[0]) * (r.Y[0] - r.X[0])) + (0.5 * Math.Abs(r.Y[0])), r.LowerValue, 1e-12);
    }

    [Fact]
    public void BdaAlsoNeedsASmoothUpperLevelButAidDoesNot()
    {
        BilevelResult bda = new BdaSolver().Solve(new NonsmoothUpperModel(), [0.0], [0.0]);
        Assert.Equal(SolverStatus.AssumptionViolated, bda.Status);
        Assert.Contains("Dsl.Abs(y[0] - 1.0)", bda.Message);
        Assert.Contains("upper level", bda.Message);

        BilevelResult aid = new AidCgSolver(new AidCgOptions { MaxIterations = 5 }).Solve(new NonsmoothUpperModel(), [0.0], [0.0]);
        Assert.NotEqual(SolverStatus.AssumptionViolated, aid.Status);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void LowerLevelConstraintsAreRefused(string method)
    {
        BilevelResult r = Family.Create(method, 0.1).Solve(new ConstrainedLowerModel(), [0.0], [0.0]);
        Assert.Equal(SolverStatus.AssumptionViolated, r.Status);
        Assert.Contains("constraint", r.Message);
    }

    [Fact]
    public void PenaltyRefusesALowerDomain()
    {
        BilevelResult r = new PenaltySolver().Solve(new BoxLowerModel(), [1.5], [0.0, 0.0, 0.0]);
        Assert.Equal(SolverStatus.AssumptionViolated, r.Status);
        Assert.Contains("domain", r.Message);
        HypergradientEstimate e = new PenaltySolver().EstimateHypergradient(new BoxLowerModel(), [1.5], [0.0, 0.0, 0.0]);
        Assert.Equal(SolverStatus.AssumptionViolated, e.Status);
        Assert.True(double.IsNaN(e.Gradient[0]));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void UnboundedLowerLevelIsNotConvergedNotASolution(string method)
    {
        // f = y + x^2: grad_y f = 1 everywhere, so the gradient norm never decreases.
        BilevelResult r = Family.Create(method, 0.1).Solve(new UnboundedLowerModel(), [0.0], [0.0]);
        output.WriteLine($"{method}: {r.Status} after {r.Iterations}, y = {r.Y[0]:G4}: {r.Message}");
        Assert.Equal(SolverStatus.LowerLevelNotConverged, r.Status);
        Assert.True(r.Message.Contains("stopped decreasing") || r.Message.Contains("has not decreased") || r.Message.Contains("not solved"), r.Message);
        Assert.True(double.IsFinite(r.Y[0]));
    }

    [Fact]
    public void PenaltyEndingAtALowerLevelMaximumIsNotConverged()
    {
        // From (3, 3) with a = 0 the penalty's stationarity condition grad_y f = cos(x + y) = 0 is met at x + y = pi/2,
        // a maximum of sin: y is not a lower-level solution, and the second-order check says so.
        BilevelResult r = new PenaltySolver(new PenaltyOptions { Optimizer = new() { StepSize = 0.1 } }).Solve(new SolverSinToy { A = 0.0 }, [3.0], [3.0]);
        output.WriteLine($"{r.Status}: x = {r.X[0]:F6}, y = {r.Y[0]:F6}, f = {r.LowerValue:F6}: {r.Message}");
        Assert.Equal(SolverStatus.LowerLevelNotConverged, r.Status);
        Assert.Contains("negative curvature", r.Message);
        Assert.Equal(1.0, r.LowerValue, 1e-6);
    }

    [Fact]
    public void PenaltyAtASpuriousStationaryPointIsNotConvergedAndSaysWhy()
    {
        // a = 0 from (0, 0): grad F = 0, d2f/dy2 = -sin(0) = 0, so grad (F + gamma/2 cos^2(x + y)) = 0 although grad_y f = 1.
        BilevelResult r = new PenaltySolver(new PenaltyOptions { Optimizer = new() { StepSize = 0.1 } }).Solve(new SolverSinToy { A = 0.0 }, [0.0], [0.0]);
        output.WriteLine($"{r.Status}: {r.Message}");
        Assert.Equal(SolverStatus.LowerLevelNotConverged, r.Status);
        Assert.Contains("spurious stationary point", r.Message);
        Assert.Equal(0.0, r.X[0]);
    }

    public static TheoryData<string, FaultyKernels.Kernel> FaultCases()
    {
        var data = new TheoryData<string, FaultyKernels.Kernel>();
        foreach (string m in Family.Names)
        {
            data.Add(m, FaultyKernels.Kernel.LowerHessianVector);
            data.Add(m, FaultyKernels.Kernel.UpperGradient);
            data.Add(m, FaultyKernels.Kernel.LowerGradient);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FaultCases))]
    public void NaNFromAKernelIsDiverged(string method, FaultyKernels.Kernel kernel)
    {
        // Healthy for the first few calls, so that the failure happens mid-run.
        int healthy = kernel == FaultyKernels.Kernel.UpperGradient ? 2 : 20;
        var model = new FaultyKernels(QuadraticClosedForm.Kernels()) { Faulty = kernel, HealthyCalls = healthy };
        BilevelResult r = Family.Create(method, 0.5).Solve(model, [0.0, 0.0], new double[3]);
        output.WriteLine($"{method}/{kernel}: {r.Status} after {r.Iterations}: {r.Message}");
        Assert.Equal(SolverStatus.Diverged, r.Status);
        Assert.True(r.Message.Contains("not finite") || r.Message.Contains("non-finite") || r.Message.Contains("NaN"), r.Message);
        Assert.All(r.X, v => Assert.True(double.IsFinite(v)));
        Assert.All(r.Y, v => Assert.True(double.IsFinite(v)));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void HugeUpperStepIsDiverged(string method)
    {
        BilevelResult r = Family.Create(method, 1e300).Solve(QuadraticClosedForm.Kernels(), [0.0, 0.0], new double[3]);
        output.WriteLine($"{method}: {r.Status}: {r.Message}");
        Assert.Equal(SolverStatus.Diverged, r.Status);
    }

    [Theory]
    [InlineData("RHG")]
    [InlineData("FHG")]
    [InlineData("BDA")]
    public void ConfiguredUnrolledStepAbove2OverLIsReportedNotDifferentiated(string method)
    {
        // d2f/dy2 of the quadratic has lambda_max about 3.9: s = 1 > 2 / L makes the unrolled iteration diverge.
        IBilevelSolver solver = method switch
        {
            "RHG" => new RhgSolver(new RhgOptions { InnerStepSize = 1.0 }),
            "FHG" => new FhgSolver(new FhgOptions { InnerStepSize = 1.0 }),
            _ => new BdaSolver(new BdaOptions { InnerStepSize = 1.0 }),
        };
        BilevelResult r = solver.Solve(QuadraticClosedForm.Kernels(), [0.0, 0.0], new double[3]);
        Assert.Equal(SolverStatus.Diverged, r.Status);
        Assert.Contains("InnerStepSize", r.Message);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void CancellationIsReportedWithTheLastIterate(string method)
    {
        using var before = new CancellationTokenSource();
        before.Cancel();
        BilevelResult r0 = Family.Create(method, 0.5).Solve(QuadraticClosedForm.Kernels(), [0.0, 0.0], new double[3], null, before.Token);
        Assert.Equal(SolverStatus.Cancelled, r0.Status);
        Assert.Equal(0, r0.Iterations);

        using var during = new CancellationTokenSource();
        var progress = new RecordingProgress(p =>
        {
            if (p.Iteration == 3)
            {
                during.Cancel();
            }
        });
        BilevelResult r3 = Family.Create(method, 0.5).Solve(QuadraticClosedForm.Kernels(), [0.0, 0.0], new double[3], progress, during.Token);
        Assert.Equal(SolverStatus.Cancelled, r3.Status);
        Assert.Equal(3, r3.Iterations);
        Assert.Equal(3, r3.History.Count);
        Assert.True(double.IsFinite(r3.UpperValue));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void InvalidInputIsReported(string method)
    {
        IBilevelSolver solver = Family.Create(method, 0.5);
        BilevelResult nan = solver.Solve(QuadraticClosedForm.Kernels(), [double.NaN, 0.0], new double[3]);
        Assert.Equal(SolverStatus.InvalidInput, nan.Status);
        Assert.Contains("x0[0] is NaN", nan.Message);

        BilevelResult empty = solver.Solve(QuadraticClosedForm.Kernels(), [0.0, 0.0], ReadOnlySpan<double>.Empty);
        Assert.Equal(SolverStatus.InvalidInput, empty.Status);
        Assert.Contains("y0 is empty", empty.Message);

        BilevelResult wrongLength = solver.Solve(new SolverSinToy(), [0.0, 1.0], [0.0]);
        Assert.Equal(SolverStatus.InvalidInput, wrongLength.Status);
        Assert.Contains("ArgumentException", wrongLength.Message);
        Assert.Equal([0.0, 1.0], wrongLength.X);

        Assert.Throws<ArgumentNullException>(() => solver.Solve(null!, [0.0], [0.0]));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void KernelsWithoutHessianVectorProductsAreInvalidInput(string method)
    {
        BilevelResult r = Family.Create(method, 0.5).Solve(new GradientOnlyQuadratic(), [0.0], [0.0]);
        output.WriteLine(r.Message);
        Assert.Equal(SolverStatus.InvalidInput, r.Status);
        Assert.Contains("Hessian-vector", r.Message);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void HistoryAndProgressHaveOneEntryPerIteration(string method)
    {
        var progress = new RecordingProgress();
        BilevelResult r = Family.Create(method, 0.5, maxIterations: 7).Solve(QuadraticClosedForm.Kernels(), [0.0, 0.0], new double[3], progress);
        // Seven iterations do not solve the problem: the iteration limit, reported as LowerLevelNotConverged when the lower
        // level is not solved to its final tolerance either (the unrolled methods and the penalty here).
        Assert.True(r.Status is SolverStatus.IterationLimit or SolverStatus.LowerLevelNotConverged, r.Message);
        Assert.Contains("iteration limit", r.Message);
        Assert.Equal(r.Iterations, r.History.Count);
        Assert.Equal(r.Iterations, progress.Reports.Count);
        for (int i = 0; i < r.History.Count; i++)
        {
            IterationRecord h = r.History[i];
            Assert.Equal(i + 1, h.Iteration);
            Assert.Equal(h.UpperValue, progress.Reports[i].UpperValue);
            Assert.Equal(h.LowerStationarity, progress.Reports[i].LowerStationarity);
            Assert.True(double.IsFinite(h.UpperValue) && double.IsFinite(h.LowerValue) && double.IsFinite(h.DirectionNorm));
            Assert.True(h.LowerStationarity >= 0.0);
            Assert.True(i == 0 || h.Elapsed >= r.History[i - 1].Elapsed);
        }

        Assert.Equal(0.0, r.History[^1].StepNorm); // no step after the last iteration: X and Y belong together
        Assert.Equal(7, r.Iterations);
        if (method is "AID-CG" or "AID-Neumann")
        {
            Assert.Equal(SolverStatus.IterationLimit, r.Status); // a final tight lower-level solve at the last x
        }

        BilevelResult quiet = method switch
        {
            "Penalty" => new PenaltySolver(new PenaltyOptions { MaxIterations = 4, RecordHistory = false }).Solve(QuadraticClosedForm.Kernels(), [0.0, 0.0], new double[3]),
            _ => new RhgSolver(new RhgOptions { MaxIterations = 4, RecordHistory = false }).Solve(QuadraticClosedForm.Kernels(), [0.0, 0.0], new double[3]),
        };
        Assert.Empty(quiet.History);
        Assert.Equal(4, quiet.Iterations);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void IterationLoopsDoNotAllocate(string method)
    {
        // Everything is allocated per solve: 10 and 210 outer iterations allocate the same (up to the digits in the message).
        IBilevelKernels model = HypergradientAccuracyTests.Ridge.Kernels();
        long Bytes(int iterations)
        {
            IBilevelSolver solver = method switch
            {
                "AID-CG" => new AidCgSolver(new AidCgOptions { MaxIterations = iterations, RecordHistory = false, Certificate = CertificateOptions.Off, Optimizer = new() { StepSize = 1e-4 } }),
                "AID-Neumann" => new AidNeumannSolver(new AidNeumannOptions { MaxIterations = iterations, RecordHistory = false, Certificate = CertificateOptions.Off, Optimizer = new() { StepSize = 1e-4 } }),
                "RHG" => new RhgSolver(new RhgOptions { MaxIterations = iterations, RecordHistory = false, Certificate = CertificateOptions.Off, Optimizer = new() { StepSize = 1e-4 } }),
                "TRHG" => new TrhgSolver(new TrhgOptions { MaxIterations = iterations, RecordHistory = false, Certificate = CertificateOptions.Off, Optimizer = new() { StepSize = 1e-4 } }),
                "FHG" => new FhgSolver(new FhgOptions { MaxIterations = iterations, RecordHistory = false, Certificate = CertificateOptions.Off, Optimizer = new() { StepSize = 1e-4 } }),
                "BDA" => new BdaSolver(new BdaOptions { MaxIterations = iterations, RecordHistory = false, Certificate = CertificateOptions.Off, Optimizer = new() { StepSize = 1e-4 } }),
                _ => new PenaltySolver(new PenaltyOptions { MaxIterations = iterations, RecordHistory = false, Certificate = CertificateOptions.Off, Optimizer = new() { StepSize = 1e-4 } }),
            };
            BilevelResult? r = null;
            long bytes = AllocationMeter.Least(() => r = solver.Solve(model, [0.0], new double[5]));
            Assert.Equal(iterations, r!.Iterations);
            return bytes;
        }

        long ten = Bytes(10);
        long more = Bytes(210);
        output.WriteLine($"{method}: {ten} bytes for 10 iterations, {more} for 210");
        Assert.True(Math.Abs(more - ten) <= AllocationMeter.LoopMargin, $"{ten} vs {more} bytes");
    }

    [Fact]
    public void RhgMemoryGrowsAsNTimesTAndFhgDoesNot()
    {
        IBilevelKernels model = HypergradientAccuracyTests.Ridge.Kernels(); // n = 5, m = 1
        // The certificate off: its re-solves depend on where a run ends, not on the unrolled memory measured here.
        long Bytes(IBilevelSolver solver) => AllocationMeter.Least(() => solver.Solve(model, [0.0], new double[5]));

        long rhg1000 = Bytes(new RhgSolver(new RhgOptions { UnrollSteps = 1000, MaxIterations = 2, RecordHistory = false, Certificate = CertificateOptions.Off }));
        long rhg3000 = Bytes(new RhgSolver(new RhgOptions { UnrollSteps = 3000, MaxIterations = 2, RecordHistory = false, Certificate = CertificateOptions.Off }));
        long fhg1000 = Bytes(new FhgSolver(new FhgOptions { UnrollSteps = 1000, MaxIterations = 2, RecordHistory = false, Certificate = CertificateOptions.Off }));
        long fhg3000 = Bytes(new FhgSolver(new FhgOptions { UnrollSteps = 3000, MaxIterations = 2, RecordHistory = false, Certificate = CertificateOptions.Off }));
        output.WriteLine($"RHG: {rhg1000} / {rhg3000} bytes; FHG: {fhg1000} / {fhg3000} bytes");
        Assert.InRange(rhg3000 - rhg1000, (2000 * 5 * sizeof(double)) - 200, (2000 * 5 * sizeof(double)) + 200); // n (T2 - T1) doubles
        Assert.True(Math.Abs(fhg3000 - fhg1000) <= 64);
    }

    [Fact]
    public void OptionsValidateThemselves()
    {
        Assert.Contains("MaxIterations", Assert.Throws<ArgumentOutOfRangeException>(() => new AidCgSolver(new AidCgOptions { MaxIterations = 0 })).Message);
        Assert.Contains("CgMaxIterations", Assert.Throws<ArgumentOutOfRangeException>(() => new AidCgSolver(new AidCgOptions { CgMaxIterations = 0 })).Message);
        Assert.Contains("NeumannStepSize", Assert.Throws<ArgumentOutOfRangeException>(() => new AidNeumannSolver(new AidNeumannOptions { NeumannStepSize = -1 })).Message);
        Assert.Contains("UnrollSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new RhgSolver(new RhgOptions { UnrollSteps = 0 })).Message);
        Assert.Contains("TruncationSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new TrhgSolver(new TrhgOptions { UnrollSteps = 5, TruncationSteps = 6 })).Message);
        Assert.Contains("InnerStepSize", Assert.Throws<ArgumentOutOfRangeException>(() => new FhgSolver(new FhgOptions { InnerStepSize = double.NaN })).Message);
        Assert.Contains("Aggregation.Initial", Assert.Throws<ArgumentOutOfRangeException>(() => new BdaSolver(new BdaOptions { Aggregation = new(1.5, 0.9, 0.0) })).Message);
        Assert.Contains("Smoothing", Assert.Throws<ArgumentOutOfRangeException>(() => new RhgSolver(new RhgOptions { Smoothing = -1 })).Message);
        Assert.Contains("LowerTolerance.Decay", Assert.Throws<ArgumentOutOfRangeException>(() => new AidCgSolver(new AidCgOptions { LowerTolerance = new(1e-2, 2.0, 1e-9) })).Message);
        Assert.Contains("LowerLevel.StallWindow", Assert.Throws<ArgumentOutOfRangeException>(() => new AidCgSolver(new AidCgOptions { LowerLevel = new() { StallWindow = 0 } })).Message);
        Assert.Contains("PenaltyGrowth", Assert.Throws<ArgumentOutOfRangeException>(() => new PenaltySolver(new PenaltyOptions { PenaltyGrowth = 1.0 })).Message);
        Assert.Contains("PenaltyMax", Assert.Throws<ArgumentOutOfRangeException>(() => new PenaltySolver(new PenaltyOptions { PenaltyInitial = 10, PenaltyMax = 1 })).Message);
        Assert.Contains("Optimizer.StepSize", Assert.Throws<ArgumentOutOfRangeException>(() => new PenaltySolver(new PenaltyOptions { Optimizer = new() { StepSize = 0 } })).Message);
        Assert.Throws<ArgumentNullException>(() => new AidCgSolver(null!));
    }

    [Fact]
    public void DefaultsAreValidAndExposed()
    {
        Assert.Equal(100, new AidCgSolver().Options.CgMaxIterations);
        Assert.Equal(0, new RhgSolver().Options.LowerLevel.MaxSteps);
        Assert.Equal(1000, new AidNeumannSolver().Options.LowerLevel.MaxSteps);
        Assert.Equal(1e6, new PenaltySolver().Options.PenaltyMax);
        Assert.Equal("TRHG", new TrhgSolver().MethodName);
        Assert.Equal(10, new TrhgSolver().Options.TruncationSteps);
        Assert.Null(new FhgSolver().Options.InnerStepSize);
        Assert.Equal(0.5, new BdaSolver().Options.Aggregation.Initial);
    }

    /// <summary>Hand-written kernels with gradients only: F = (x - 1)^2 + y^2, f = (y - x)^2.</summary>
    private sealed class GradientOnlyQuadratic : FirstOrderKernels
    {
        public override double UpperValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => ((x[0] - 1) * (x[0] - 1)) + (y[0] * y[0]);

        public override double LowerValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => (y[0] - x[0]) * (y[0] - x[0]);

        public override double UpperGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
        {
            gradX[0] = 2 * (x[0] - 1);
            gradY[0] = 2 * y[0];
            return UpperValue(x, y);
        }

        public override double LowerGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradX, Span<double> gradY)
        {
            gradX[0] = -2 * (y[0] - x[0]);
            gradY[0] = 2 * (y[0] - x[0]);
            return LowerValue(x, y);
        }
    }
}
