using System.Numerics.Tensors;
using BilevelDsl.Numerics;
using BilevelDsl.Solvers.Inner;

namespace BilevelDsl.Solvers;

/// <summary>What one hypergradient computation produced.</summary>
/// <param name="UpperValue">F at (x, y) after the computation.</param>
/// <param name="LowerValue">f at (x, y), or NaN to let the loop evaluate it.</param>
/// <param name="LowerStationarity">The lower-level stationarity at (x, y), or NaN to let the loop measure it.</param>
/// <param name="Accurate">Whether the method's own inner accuracy test held (CG reached its tolerance).</param>
/// <param name="LowerIterations">Lower-level steps taken (unrolled steps).</param>
/// <param name="Violation">Set when the model broke the method's assumption (ends the run with AssumptionViolated).</param>
/// <param name="Failure">Set when a kernel returned NaN or an infinity (ends the run with Diverged).</param>
internal readonly record struct HypergradientOutcome(double UpperValue, double LowerValue, double LowerStationarity, bool Accurate, int LowerIterations, string? Violation, string? Failure)
{
    public static HypergradientOutcome Ok(double upper, bool accurate = true, int lowerIterations = 0) =>
        new(upper, double.NaN, double.NaN, accurate, lowerIterations, null, null);

    public static HypergradientOutcome Violated(string message) => new(double.NaN, double.NaN, double.NaN, false, 0, message, null);

    public static HypergradientOutcome Failed(string message) => new(double.NaN, double.NaN, double.NaN, false, 0, null, message);
}

/// <summary>The per-solve state of one hypergradient method (work arrays allocated at creation).</summary>
internal abstract class HypergradientMethod(HypergradientContext context)
{
    protected HypergradientContext C { get; } = context;

    /// <summary>Whether the method itself uses the tolerance eps_k (AID's linear solve).</summary>
    public virtual bool UsesToleranceSchedule => false;

    /// <summary>Whether <see cref="Compute"/> moves y (the unrolled methods end at y_T).</summary>
    public virtual bool MovesLowerVariable => false;

    /// <summary>
    /// Writes the hypergradient estimate at (C.X, C.Y) into C.G (unrolled methods first move C.Y through their T steps).
    /// <paramref name="k"/> is the outer iteration (int.MaxValue for a final estimate), <paramref name="tolerance"/> eps_k.
    /// </summary>
    public abstract HypergradientOutcome Compute(int k, double tolerance);

    /// <summary>
    /// AID's adjoint system at (C.X, C.Y): sets C.Hessian there, restricted to the free directions of a lower domain (J H J,
    /// J the projection's Jacobian at the lower-level fixed point), and writes the right-hand side J dF/dy into <paramref name="b"/>.
    /// </summary>
    protected LowerHessianOperator AdjointSystem(double[] b)
    {
        LowerHessianOperator h = C.Hessian;
        h.Y = C.Y;
        h.Jacobian = C.PrepareFixedPointJacobian() ? null : C.Jacobian;
        if (h.Jacobian is null)
        {
            C.UpperGradY.AsSpan().CopyTo(b);
        }
        else
        {
            h.Jacobian.Apply(C.UpperGradY, b);
        }

        return h;
    }

    /// <summary>AID's hypergradient g = dF/dx - (d2f/dxdy) q into C.G (<paramref name="h"/> from <see cref="AdjointSystem"/>): <paramref name="ok"/>, or the failure when g is not finite.</summary>
    protected HypergradientOutcome ImplicitGradient(LowerHessianOperator h, double[] q, HypergradientOutcome ok)
    {
        h.Apply(q, C.ScratchY);
        TensorPrimitives.Subtract(C.UpperGradX, h.MixedProduct, C.G);
        return VectorMath.AllFinite(C.G) ? ok : HypergradientOutcome.Failed($"the hypergradient has a non-finite entry ({VectorMath.FirstNonFinite(C.G)})");
    }

    /// <summary>
    /// Null if value and gradients are finite; otherwise "the {what} value is NaN" or "... gradient with respect to x has
    /// a non-finite entry (index 0 is NaN)", with " (unrolled step t)" when <paramref name="step"/> is not negative. The
    /// message is only built on failure (no allocation on the healthy path).
    /// </summary>
    protected static string? CheckFinite(double value, ReadOnlySpan<double> a, ReadOnlySpan<double> b, string what, int step = -1)
    {
        if (double.IsFinite(value) && VectorMath.AllFinite(a) && VectorMath.AllFinite(b))
        {
            return null;
        }

        string where = step < 0 ? string.Empty : $" (unrolled step {step})";
        if (!double.IsFinite(value))
        {
            return $"the {what} value{where} is {InputValidation.Describe(value)}";
        }

        return !VectorMath.AllFinite(a)
            ? $"the {what} gradient with respect to x{where} has a non-finite entry ({VectorMath.FirstNonFinite(a)})"
            : $"the {what} gradient with respect to y{where} has a non-finite entry ({VectorMath.FirstNonFinite(b)})";
    }
}

/// <summary>Everything a hypergradient method shares with the loop: the model, the iterates and common work arrays.</summary>
internal sealed class HypergradientContext
{
    private readonly double[] _curvatureVector;
    private readonly double[] _curvatureWork;
    private bool _curvatureStarted;

    public HypergradientContext(IBilevelKernels model, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0)
    {
        Model = model;
        M = x0.Length;
        N = y0.Length;
        X = x0.ToArray();
        Y = y0.ToArray();
        G = new double[M];
        ZeroX = new double[M];
        UpperGradX = new double[M];
        UpperGradY = new double[N];
        LowerGradX = new double[M];
        LowerGradY = new double[N];
        ScratchX = new double[M];
        ScratchY = new double[N];
        ModelInfo info = model.Info;
        HasUpperDomain = info.HasUpperDomain;
        HasLowerDomain = info.HasLowerDomain;
        Jacobian = HasLowerDomain ? new ProjectionJacobian(model, N) : null;
        LowerObjective = new LowerLevelObjective(model, X, N);
        Hessian = new LowerHessianOperator(model, X, N) { Y = Y };
        _curvatureVector = new double[N];
        _curvatureWork = new double[N];
    }

    public IBilevelKernels Model { get; }

    public int M { get; }

    public int N { get; }

    /// <summary>The upper variable (moved in place by the optimiser).</summary>
    public double[] X { get; }

    /// <summary>The lower variable (moved in place by the lower-level solver and the unrolled methods).</summary>
    public double[] Y { get; }

    /// <summary>The hypergradient estimate (written by the method).</summary>
    public double[] G { get; }

    public double[] ZeroX { get; }

    public double[] UpperGradX { get; }

    public double[] UpperGradY { get; }

    public double[] LowerGradX { get; }

    public double[] LowerGradY { get; }

    public double[] ScratchX { get; }

    public double[] ScratchY { get; }

    public bool HasUpperDomain { get; }

    public bool HasLowerDomain { get; }

    /// <summary>The lower domain's projection Jacobian (null without a lower domain).</summary>
    public ProjectionJacobian? Jacobian { get; }

    public LowerLevelObjective LowerObjective { get; }

    /// <summary>d2f/dy2 at (X, Y) as an operator (its Y is C.Y).</summary>
    public LowerHessianOperator Hessian { get; }

    /// <summary>
    /// The configured step, or min(1 / |lambda|_max of d2f/dy2 at (X, Y), <see cref="InnerStepCap"/>) by power iteration
    /// (30 products the first time, 5 warm-started ones afterwards); 1 (capped) when the Hessian vanishes there; NaN when a
    /// product is not finite.
    /// </summary>
    public double InnerStep(double? configured)
    {
        if (configured is double s)
        {
            return s;
        }

        Hessian.Y = Y;
        Hessian.Jacobian = null;
        double lambda = Hessian.LargestCurvature(_curvatureVector, _curvatureWork, _curvatureStarted ? 5 : 30);
        _curvatureStarted = true;
        return double.IsNaN(lambda) ? double.NaN : Math.Min(lambda > 0.0 ? 1.0 / lambda : 1.0, InnerStepCap);
    }

    /// <summary>
    /// The safeguard of the unrolled methods: a fixed-step descent iteration that is stable never increases the objective
    /// it descends, so an increase means the step is above 2/L somewhere on the path. With the automatic step (configured =
    /// null) the cap is set to half the step and true is returned (redo the unroll from its start); with a configured step
    /// false is returned and the caller fails with <see cref="UnrolledStepTooLong"/>.
    /// </summary>
    public bool ShortenAutomaticStep(double? configured, double step)
    {
        if (configured is not null || !(step > 1e-300))
        {
            return false;
        }

        InnerStepCap = 0.5 * step;
        return true;
    }

    /// <summary>The message for an unrolled pass whose step made the objective increase (configured, or automatic and halved to the limit).</summary>
    public static string UnrolledStepTooLong(double? configured, double step, int t, string objective) => configured is not null
        ? $"the unrolled iteration increased {objective} at step {t}: the step s = {HypergradientSolver.Format(step)} is above 2/L for this lower level, "
            + "so the unrolled iterates oscillate or diverge and their derivative is meaningless; reduce InnerStepSize (or leave it null for the automatic, safeguarded choice)"
        : $"the unrolled iteration increased {objective} at step {t} even after the automatic step was halved to s = {HypergradientSolver.Format(step)}: "
            + "the lower level is not smooth enough here, or its values are too large to compare in double precision";

    /// <summary>Whether <paramref name="next"/> exceeds <paramref name="previous"/> by more than rounding.</summary>
    public static bool Increased(double previous, double next) =>
        next > previous + (16.0 * 1.1102230246251565e-16 * (Math.Abs(previous) + Math.Abs(next)));

    /// <summary>The lower-level stationarity at (X, Y) from a gradient already in <see cref="LowerGradY"/>.</summary>
    public double StationarityFromGradient() => Stationarity.Measure(LowerObjective, Y, LowerGradY, ScratchY);

    /// <summary>The signed curvature ratio lambda_min / |lambda|_max of d2f/dy2 at (X, Y) (see <see cref="CurvatureCheck"/>).</summary>
    public double CurvatureRatio()
    {
        Hessian.Y = Y;
        Hessian.Jacobian = PrepareFixedPointJacobian() ? null : Jacobian;
        double ratio = CurvatureCheck.Ratio(Hessian);
        Hessian.Jacobian = null;
        return ratio;
    }

    /// <summary>The cap on automatic inner steps (lowered when an unrolled pass with the automatic step increased f).</summary>
    public double InnerStepCap { get; set; } = double.PositiveInfinity;

    /// <summary>f(X, Y) and the lower-level stationarity at (X, Y); one lower gradient.</summary>
    public (double Value, double Stationarity) MeasureLower()
    {
        double f = Model.LowerGradient(X, Y, LowerGradX, LowerGradY);
        if (!double.IsFinite(f) || !VectorMath.AllFinite(LowerGradY))
        {
            return (f, double.NaN);
        }

        return (f, Stationarity.Measure(LowerObjective, Y, LowerGradY, ScratchY));
    }

    /// <summary>||X - P_X(X - G)||, or ||G|| without an upper domain.</summary>
    public double ProjectedGradientNorm() => Stationarity.UpperResidual(Model, HasUpperDomain, X, G, ScratchX);

    /// <summary>
    /// With a lower domain: prepares <see cref="Jacobian"/> at z = y - grad_y f(x, y) (unit step, as in the stationarity
    /// measure) so that J is the projection's Jacobian at the lower-level fixed point y = P(y - grad_y f). One lower
    /// gradient and one projection. Returns whether J is the identity (always true without a domain).
    /// </summary>
    public bool PrepareFixedPointJacobian()
    {
        if (Jacobian is null)
        {
            return true;
        }

        Model.LowerGradient(X, Y, LowerGradX, LowerGradY);
        TensorPrimitives.Subtract(Y, LowerGradY, ScratchY);
        return Jacobian.SetPoint(ScratchY);
    }
}
