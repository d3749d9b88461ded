using BilevelDsl.Numerics;
using BilevelDsl.Solvers.Driver;
using BilevelDsl.Solvers.Inner;

namespace BilevelDsl.Solvers;

public sealed partial class KktMpecSolver
{
    /// <summary>One solve: z = (x, y, lambda), the relaxed problem and its solver, the lower-level solver at a fixed x.</summary>
    private sealed class Run : IterativeMethod
    {
        private readonly IBilevelKernels _model;
        private readonly KktMpecOptions _o;
        private readonly int _m;
        private readonly int _n;
        private readonly KktRelaxedProblem _problem;
        private readonly AugmentedLagrangianSolver _relaxedSolver;
        private readonly AugmentedLagrangianSolver _coarseSolver;
        private readonly AugmentedLagrangianSolver _lowerSolver;
        private readonly double[] _z;
        private readonly double[] _zScaled;
        private readonly double[] _previous;
        private readonly double[] _multipliers;
        private readonly double[] _lowerX;
        private readonly CertificateBuilder.LowerObjective _lowerObjective;
        private readonly CertificateBuilder.LowerConstraints _lowerConstraints;
        private readonly double[] _lowerMultipliers;
        private readonly double[] _yTrial;
        private readonly double[] _u;
        private readonly double[] _probeY;
        private readonly double[] _direction;
        private readonly double[] _zeroX;
        private readonly LowerCurvatureProbe _curvature;

        /// <summary>The compile-time analysis proved the lower level convex in y (its data checks done): no probe needed.</summary>
        private readonly bool _convexityProven;
        private double _relaxation;
        private double _stationarity = double.NaN;
        private ConstrainedSolveResult _last;

        public Run(IBilevelKernels model, KktMpecOptions o, ReadOnlySpan<double> x0, ReadOnlySpan<double> y0)
        {
            _model = model;
            _o = o;
            _m = x0.Length;
            _n = y0.Length;
            double[] lowerBox = new double[_n];
            double[] upperBox = new double[_n];
            Array.Fill(lowerBox, double.NegativeInfinity);
            Array.Fill(upperBox, double.PositiveInfinity);
            if (model.Info.HasLowerDomain)
            {
                ReadLowerBox(model, _n, out lowerBox, out upperBox);
            }

            _problem = new KktRelaxedProblem(model, _m, _n, lowerBox, upperBox);
            _relaxedSolver = new AugmentedLagrangianSolver(_problem.Dimension, _problem.Count, o.Relaxed with
            {
                StationarityTolerance = o.Tolerance,
                FeasibilityTolerance = o.Tolerance,
            });
            _coarseSolver = new AugmentedLagrangianSolver(_problem.Dimension, _problem.Count, o.Relaxed with
            {
                StationarityTolerance = Math.Max(o.Tolerance, o.CoarseTolerance),
                FeasibilityTolerance = Math.Max(o.Tolerance, o.CoarseTolerance),
            });
            _problem.Margin = 2.0 * o.Tolerance;
            int constraints = model.LowerConstraintCount;
            _lowerSolver = new AugmentedLagrangianSolver(_n, constraints, o.LowerLevel);
            _z = new double[_problem.Dimension];
            x0.CopyTo(_z);
            y0.CopyTo(_z.AsSpan(_m, _n));
            _zScaled = new double[_z.Length];
            _previous = new double[_z.Length];
            _multipliers = new double[_problem.Count];
            _lowerX = new double[_m];
            _lowerObjective = new CertificateBuilder.LowerObjective(model, _lowerX, _n);
            _lowerConstraints = new CertificateBuilder.LowerConstraints(model, _lowerX, _n);
            _lowerMultipliers = new double[constraints];
            _yTrial = new double[_n];
            _u = new double[_problem.MultiplierCount];
            _probeY = new double[_n];
            _direction = new double[_n];
            _zeroX = new double[_m];
            _curvature = new LowerCurvatureProbe(model, _m, _n);
            _convexityProven = LowerConvexityGate.Resolve(model).IsProven;
        }

        public override ReadOnlySpan<double> CurrentX => _z.AsSpan(0, _m);

        public override ReadOnlySpan<double> CurrentY => _z.AsSpan(_m, _n);

        /// <summary>The KKT stationarity residual of the last relaxed problem.</summary>
        public override double UpperStationarity => _stationarity;

        private Span<double> X => _z.AsSpan(0, _m);

        private Span<double> Y => _z.AsSpan(_m, _n);

        private Span<double> Lambda => _z.AsSpan(_m + _n);

        public override StepOutcome Step(int k, CancellationToken cancellationToken)
        {
            if (k == 0)
            {
                if (Start(cancellationToken) is StepOutcome refused)
                {
                    return refused;
                }

                _relaxation = _o.InitialRelaxation;
                _problem.SetScale(_z);
            }
            else
            {
                // Snap to the final relaxation within rounding (0.01^5 is not exactly 1e-10).
                _relaxation *= _o.RelaxationDecrease;
                _relaxation = _relaxation <= _o.FinalRelaxation * (1.0 + 1e-9) ? _o.FinalRelaxation : _relaxation;
            }

            _problem.Relaxation = _relaxation;
            _z.AsSpan().CopyTo(_previous);
            bool final = _relaxation <= _o.FinalRelaxation;
            _problem.ToScaled(_z, _zScaled);
            _last = (final ? _relaxedSolver : _coarseSolver).Minimize(_problem, _problem, _zScaled, _multipliers, cancellationToken);
            _problem.FromScaled(_zScaled, _z);
            if (_last.Status == ConstrainedSolveStatus.NonFinite || !VectorMath.AllFinite(_z))
            {
                _previous.AsSpan().CopyTo(_z);
                return Diverged(k, $"F, f, a constraint or a derivative is not finite in the relaxed problem at t = {Fmt.G(_relaxation)}");
            }

            _stationarity = _last.Stationarity;
            double stepNorm = VectorMath.DistanceInf(_z, _previous);
            Complete(_model.UpperValue(X, Y), _model.LowerValue(X, Y), _last.Stationarity, stepNorm, _last.Complementarity, _last.InnerSteps);
            if (ProbeConvexity($"around the iterate of outer iteration {Fmt.I(k + 1)}") is string nonconvex)
            {
                return Finish(SolverStatus.AssumptionViolated, nonconvex);
            }

            return final && _last.Status == ConstrainedSolveStatus.Converged ? Conclude(SolverStatus.Converged, cancellationToken) : StepOutcome.Continue;
        }

        public override StepOutcome AtIterationLimit(int maxIterations, CancellationToken cancellationToken) =>
            Conclude(SolverStatus.IterationLimit, cancellationToken);

        /// <summary>x in X, y in its box, the convexity probe, and (y, lambda) from the lower level at x0 when it solves.</summary>
        private StepOutcome? Start(CancellationToken cancellationToken)
        {
            if (_model.Info.HasUpperDomain)
            {
                _model.ProjectUpper(X);
            }

            if (_model.Info.HasLowerDomain)
            {
                _model.ProjectLower(Y);
            }

            if (ProbeConvexity("around the start") is string nonconvex)
            {
                return Finish(SolverStatus.AssumptionViolated, nonconvex);
            }

            ConstrainedSolveResult lower = SolveLowerLevel(cancellationToken);
            if (lower.Status is ConstrainedSolveStatus.Converged or ConstrainedSolveStatus.IterationLimit && VectorMath.AllFinite(_yTrial))
            {
                _yTrial.AsSpan().CopyTo(Y);
                _lowerMultipliers.AsSpan().CopyTo(Lambda);
                _problem.BoundMultipliers(X, Y, Lambda);
            }

            return null;
        }

        /// <summary>min_y f(x, y) s.t. u(x, y) &lt;= 0, y in the box, at the current x from the current y, into _yTrial and _lowerMultipliers.</summary>
        private ConstrainedSolveResult SolveLowerLevel(CancellationToken cancellationToken)
        {
            X.CopyTo(_lowerX);
            Y.CopyTo(_yTrial);
            for (int j = 0; j < _lowerMultipliers.Length; j++)
            {
                _lowerMultipliers[j] = Lambda[j];
            }

            return _lowerSolver.Minimize(_lowerObjective, _lowerConstraints, _yTrial, _lowerMultipliers, cancellationToken);
        }

        /// <summary>
        /// The end of a run: the lower level re-solved at x from y (the re-solved y replaces y when it lowers f beyond the
        /// tolerance, or y is infeasible), the convexity probe at the end, and the status with its message.
        /// </summary>
        private StepOutcome Conclude(SolverStatus status, CancellationToken cancellationToken)
        {
            ConstrainedSolveResult lower = SolveLowerLevel(cancellationToken);
            double f = _model.LowerValue(X, Y);
            double violation = Violation(Y);
            double fTrial = _model.LowerValue(X, _yTrial);
            double tolerance = _o.Tolerance * Math.Max(1.0, Math.Abs(f));
            bool trialUsable = VectorMath.AllFinite(_yTrial) && double.IsFinite(fTrial) && Violation(_yTrial) <= _o.Tolerance;
            string moved = string.Empty;
            if (trialUsable && (violation > _o.Tolerance || fTrial < f - tolerance))
            {
                moved = $" The lower-level re-solve at x moved y (f by {Fmt.G(f - fTrial)}, constraint violation {Fmt.G(violation)} before).";
                _yTrial.AsSpan().CopyTo(Y);
            }

            if (ProbeConvexity("around the final iterate") is string nonconvex)
            {
                return Finish(SolverStatus.AssumptionViolated, nonconvex);
            }

            string residuals = $"relaxation t = {Fmt.G(_relaxation)}, KKT stationarity residual {Fmt.G(_last.Stationarity)}, "
                + $"feasibility/complementarity {Fmt.G(_last.Complementarity)}";
            string convexity = _convexityProven ? string.Empty : " Convexity of the lower level in y was probed (no negative curvature found), not proven.";
            if (status == SolverStatus.Converged && moved.Length > 0 && !(lower.Status == ConstrainedSolveStatus.Converged))
            {
                return Finish(SolverStatus.LowerLevelNotConverged,
                    $"Lower level not converged: the relaxed problems converged ({residuals}) but y was not lower-level optimal and the re-solve at x ended {lower.Status}.{moved}");
            }

            return status == SolverStatus.Converged
                ? Finish(SolverStatus.Converged, $"Converged: the KKT reformulation at the final relaxation ({residuals}).{moved}{convexity}")
                : Finish(status, $"Iteration limit: {Fmt.I(Iterations)} relaxed problems solved; the last ended {_last.Status} ({residuals}).{moved}{convexity}");
        }

        /// <summary>max(0, max_j u_j(x, y)) over the model's constraints and the box.</summary>
        private double Violation(ReadOnlySpan<double> y)
        {
            _problem.ConstraintValues(X, y, _u);
            double violation = 0.0;
            foreach (double u in _u)
            {
                violation = double.IsNaN(u) ? double.PositiveInfinity : Math.Max(violation, u);
            }

            return violation;
        }

        /// <summary>
        /// Null when f(x, .) and every u_j(x, .) show no negative curvature along two fixed directions in y at y and at four
        /// fixed points around it (in the box); otherwise the refusal. The test is d'Hd / ||d||^2 &lt; -tol sigma, sigma the
        /// largest ||Hd|| / ||d|| seen for that function, so rounding-level curvature of a convex function never triggers it.
        /// </summary>
        private string? ProbeConvexity(string where)
        {
            double tolerance = _o.ConvexityTolerance;
            if (_convexityProven || double.IsPositiveInfinity(tolerance))
            {
                return null;
            }

            // Points: y, four fixed points around it, and the projection of 0; directions: two generic ones and the first
            // coordinate axes (a saddle such as diag(-2, 2) is invisible along a direction with equal entries).
            int axes = Math.Min(_n, 4);
            for (int p = 0; p < 6; p++)
            {
                for (int i = 0; i < _n; i++)
                {
                    double spread = p == 0 ? 0.0 : 0.5 * (1.0 + Math.Abs(Y[i]));
                    _probeY[i] = p == 5 ? 0.0 : Y[i] + (spread * Math.Cos(0.5 + (2.399963229728653 * ((p * _n) + i))));
                }

                if (_model.Info.HasLowerDomain)
                {
                    _model.ProjectLower(_probeY);
                }

                for (int d = 0; d < 2 + axes; d++)
                {
                    for (int i = 0; i < _n; i++)
                    {
                        _direction[i] = d < 2 ? Math.Cos(1.0 + (2.399963229728653 * ((d * 7 * _n) + i + 3))) : (i == d - 2 ? 1.0 : 0.0);
                    }

                    if (Curvature(_probeY) is string found)
                    {
                        return $"KKT-MPEC needs a lower level convex in y (then its KKT conditions characterise its solutions), but {found} "
                            + $"at y = [{string.Join(", ", _probeY.Select(Fmt.G))}] ({where}, x = [{string.Join(", ", _z.Take(_m).Select(Fmt.G))}]). "
                            + "No method here certifies a nonconvex lower level with constraints (CCCP-BO also needs convexity); for a "
                            + "nonconvex lower level without [LowerConstraint]s use BVFIM or BOME.";
                    }
                }
            }

            return null;
        }

        private string? Curvature(ReadOnlySpan<double> y)
        {
            if (_curvature.FindNegative(X, y, _zeroX, _direction, _o.ConvexityTolerance, inYOnly: true, out double curvature, out double sigma) is int j)
            {
                string name = j < 0 ? $"the lower-level objective ({_model.Info.Lower.Method})" : $"lower-level constraint u_{j} (the [LowerConstraint] number {j}, in declaration order)";
                return $"{name} has negative curvature in y, d'Hd / ||d||^2 = {Fmt.G(curvature)} (curvature scale {Fmt.G(sigma)}),";
            }

            return null;
        }
    }
}
