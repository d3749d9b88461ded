using BilevelDsl.Numerics;
using BilevelDsl.Solvers.Driver;

namespace BilevelDsl.Solvers;

public sealed partial class CccpSolver
{
    private sealed partial class Run
    {
        /// <summary>CCCP-BO solves the epsilon-relaxed problem g(x, y) - v(x) &lt;= epsilon (Eq. 5 of the paper) by design.</summary>
        public override double LowerGapAllowance => _o.Epsilon + _o.LowerLevel.FeasibilityTolerance;

        private Span<double> X => _z.AsSpan(0, _m);

        private Span<double> Y => _z.AsSpan(_m);

        public override StepOutcome Step(int step, CancellationToken cancellationToken)
        {
            CccpOptions o = _o;
            int k = step + 1;
            _token = cancellationToken;
            if (step == 0)
            {
                // Algorithm 1, line 1: x_1 in C, y_1 in U(x_1) with g(x_1, y_1) - v(x_1) <= eps.
                _model.ProjectUpper(X);
                _model.ProjectLower(Y);
                _model.ProjectLower(_yLower);
                if (SolveLowerLevel(0, out string startFailure) is SolverStatus initialStatus)
                {
                    return Finish(initialStatus, startFailure, evaluate: true);
                }

                if (!StartIsFeasible())
                {
                    _yLower.AsSpan().CopyTo(Y);
                }

                _upper = UpperGradient(_z, _gradF);
                if (!double.IsFinite(_upper) || !VectorMath.AllFinite(_gradF))
                {
                    return Finish(SolverStatus.Diverged, $"Diverged at the start: F or its gradient is not finite at (x_1, y_1) (F = {InputValidation.Describe(_upper)}).", evaluate: false);
                }

                if (o.AdaptiveRho)
                {
                    EstimateRho();
                }

                // Seed every lower-level function's curvature scale with a probe along a fixed generic direction at z_1
                // (golden-angle cosines: no structure, so almost surely not in the null space of a Hessian).
                for (int i = 0; i < _d.Length; i++)
                {
                    _d[i] = Math.Cos(1.0 + (2.399963229728653 * i));
                }

                string? startCurvature = ProbeCurvature(X, Y, _d.AsSpan(0, _m), _d.AsSpan(_m), "along a fixed generic direction at the start z_1");

                // Then along each x axis (small x only: one Hessian-vector product per function each): a lower level convex in
                // y but not jointly, such as y in a ball of radius x (||y||^2 - x^2 <= 0), shows its negative curvature
                // there before a projection onto a nonconvex D_k is attempted.
                for (int i = 0; i < Math.Min(_m, StartAxisProbes) && startCurvature is null; i++)
                {
                    _d.AsSpan().Clear();
                    _d[i] = 1.0;
                    startCurvature = ProbeCurvature(X, Y, _d.AsSpan(0, _m), _d.AsSpan(_m), $"along the x axis e_{i} at the start z_1");
                }

                if (startCurvature is not null)
                {
                    return Finish(SolverStatus.AssumptionViolated, startCurvature, evaluate: true);
                }
            }

            double upper = _upper;
            double lower = _model.LowerValue(X, Y);

            // D_k (Eq. 10) from v(x_k) and xi_k of the last lower-level solve (done at x_k).
            X.CopyTo(_feasibleSet.Xk);
            _feasibleSet.ValueAtXk = _v;
            _lambda.AsSpan().CopyTo(_lambdaSaved);
            double gradientNorm = VectorMath.Norm2(_gradF);

            double upperNext = double.NaN;
            ConstrainedSolveResult projection = default;
            for (int attempt = 0; ; attempt++)
            {
                // Eq. (11): z_{k+1} = Proj_{D_k}(z_k - grad F(z_k) / rho), started at P_{C x Y}(c).
                _feasibleSet.Bound = Bound(gradientNorm);
                VectorMath.AddScaled(_z, -1.0 / _rho, _gradF, _c);
                _c.AsSpan().CopyTo(_zNext);
                _lambdaSaved.AsSpan().CopyTo(_lambda);
                projection = _projector.Project(_c, _feasibleSet, _zNext, _lambda, cancellationToken);
                switch (projection.Status)
                {
                    case ConstrainedSolveStatus.Cancelled:
                        return Finish(SolverStatus.Cancelled, $"Cancelled in outer iteration {k} (during the projection onto D_k); X and Y are the last iterate.", evaluate: true);
                    case ConstrainedSolveStatus.NonFinite:
                        return Finish(SolverStatus.Diverged, $"Diverged in outer iteration {k}: g, a lower-level constraint or a gradient is not finite at the point projected onto D_k (rho = {Fmt.G(_rho)}); X and Y are the last finite iterate.", evaluate: true);
                    case ConstrainedSolveStatus.Infeasible:
                        return Finish(
                            SolverStatus.AssumptionViolated,
                            $"The projection onto D_k in outer iteration {k} found no point of D_k (infeasibility measure {Fmt.G(projection.Complementarity)} at the penalty limit), although D_k contains (x_k, y_x) and is convex when g and every u_j are convex in (x, y): "
                            + "the lower level is probably not convex. CCCP-BO needs a jointly convex lower level; use a method that does not (BVFIM, for a lower level without constraints or declared domains). X and Y are the last iterate.",
                            evaluate: true);
                    case ConstrainedSolveStatus.IterationLimit:
                        return Finish(
                            SolverStatus.IterationLimit,
                            $"The projection onto D_k in outer iteration {k} stopped at its iteration limit with KKT residuals {Fmt.G(projection.Stationarity)} (stationarity) and {Fmt.G(projection.Complementarity)} (feasibility/complementarity) above the tolerances "
                            + $"({Fmt.G(o.Projection.StationarityTolerance)}, {Fmt.G(o.Projection.FeasibilityTolerance)}); raise Projection.MaxOuterIterations / MaxSubproblemSteps or loosen the tolerances (Projection.StationarityTolerance and Projection.FeasibilityTolerance 1e-7, below Epsilon). X and Y are the last accepted iterate (lower-level gap {Fmt.G(Gap())} <= epsilon).",
                            evaluate: true);
                }

                upperNext = UpperGradient(_zNext, _gradFNext);
                bool finite = double.IsFinite(upperNext) && VectorMath.AllFinite(_gradFNext);
                if (!o.AdaptiveRho)
                {
                    if (!finite)
                    {
                        return Finish(SolverStatus.Diverged, $"Diverged in outer iteration {k}: F or its gradient is not finite at the next iterate (F = {InputValidation.Describe(upperNext)}, rho = {Fmt.G(_rho)}); X and Y are the last finite iterate.", evaluate: true);
                    }

                    break;
                }

                if (finite && DescentHolds(upper, upperNext))
                {
                    break;
                }

                if (_rho >= o.MaxRho || attempt >= MaxRhoDoublingsPerStep)
                {
                    return Finish(
                        SolverStatus.AssumptionViolated,
                        $"In outer iteration {k} the step failed the descent inequality F(z+) <= F(z) + <grad F(z), z+ - z> + rho/2 ||z+ - z||^2 for every rho up to {Fmt.G(_rho)}: "
                        + "the upper level's gradient is not Lipschitz-continuous along the step (CCCP-BO's Assumption 2), or F is not finite there. X and Y are the last iterate.",
                        evaluate: true);
                }

                _rho = Math.Min(2.0 * _rho, o.MaxRho);
            }

            // Eq. (15): the projected gradient g_k = rho (z_k - z_{k+1}).
            VectorMath.AddScaled(_zNext, -1.0, _z, _d);
            double directionNorm = _rho * VectorMath.Norm2(_d);
            _directionNorm = directionNorm;
            double stepNorm = VectorMath.NormInf(_d.AsSpan(0, _m));

            // Convexity probe along the step, at z_k.
            string? curvature = ProbeCurvature(X, Y, _d.AsSpan(0, _m), _d.AsSpan(_m), "along the step z_{k+1} - z_k at z_k");
            if (curvature is not null)
            {
                return Finish(SolverStatus.AssumptionViolated, $"In outer iteration {k}: {curvature}", evaluate: true);
            }

            VectorMath.Swap(ref _z, ref _zNext);
            VectorMath.Swap(ref _gradF, ref _gradFNext);

            // The lower-level solve at x_{k+1}: v(x_{k+1}) and xi_{k+1} for the next D, and the gap of the new iterate.
            _yLower.AsSpan().CopyTo(_yLowerPrevious);
            SolverStatus? lowerStatus = SolveLowerLevel(k, out string failure);
            Complete(upper, lower, directionNorm, stepNorm, double.NaN, _lowerSteps);
            _upper = upperNext;
            if (lowerStatus is SolverStatus status)
            {
                return Finish(status, failure, evaluate: true);
            }

            // Convexity probe along the move of the lower-level solution (x_k, y_{x_k}) -> (x_{k+1}, y_{x_{k+1}}).
            for (int i = 0; i < _m; i++)
            {
                _d[i] = X[i] - _feasibleSet.Xk[i];
            }

            for (int i = 0; i < _n; i++)
            {
                _d[_m + i] = _yLower[i] - _yLowerPrevious[i];
            }

            curvature = ProbeCurvature(X, _yLower, _d.AsSpan(0, _m), _d.AsSpan(_m), "along the move of the lower-level solution at (x_{k+1}, y_x)");
            if (curvature is not null)
            {
                return Finish(SolverStatus.AssumptionViolated, $"In outer iteration {k}: {curvature}", evaluate: true);
            }

            if (directionNorm <= o.Tolerance)
            {
                return FinishChecked(
                    SolverStatus.Converged,
                    $"Converged after {k} outer iterations: the projected gradient ||rho (z_k - z_k+1)|| = {Fmt.G(directionNorm)} is within the tolerance {Fmt.G(o.Tolerance)} (rho = {Fmt.G(_rho)})");
            }

            return StepOutcome.Continue;
        }

        public override StepOutcome AtIterationLimit(int maxIterations, CancellationToken cancellationToken)
        {
            CccpOptions o = _o;
            _token = cancellationToken;

            return FinishChecked(
                SolverStatus.IterationLimit,
                $"Stopped at the iteration limit ({o.MaxIterations}) before ||rho (z_k - z_k+1)|| <= {Fmt.G(o.Tolerance)}; X and Y are the last iterate (rho = {Fmt.G(_rho)})");
        }

        /// <summary>
        /// The adaptive rule's first rho: at least Rho, and at least the curvature of F along its gradient at z_1,
        /// ||grad F(z_1 - t grad F) - grad F(z_1)|| / (t ||grad F||) for a small t (a lower bound on L), so that the first
        /// projected point is not absurdly far when Rho is far below L. A non-finite probe leaves rho at Rho.
        /// </summary>
        private void EstimateRho()
        {
            double gradientNorm = VectorMath.Norm2(_gradF);
            if (!(gradientNorm > 0.0) || !double.IsFinite(gradientNorm))
            {
                return;
            }

            double t = 1e-4 * (1.0 + VectorMath.Norm2(_z)) / gradientNorm;
            VectorMath.AddScaled(_z, -t, _gradF, _c);
            double probe = UpperGradient(_c, _gradFNext);
            if (!double.IsFinite(probe) || !VectorMath.AllFinite(_gradFNext))
            {
                return;
            }

            VectorMath.AddScaled(_gradFNext, -1.0, _gradF, _d);
            double curvature = VectorMath.Norm2(_d) / (t * gradientNorm);
            if (double.IsFinite(curvature))
            {
                _rho = Math.Min(Math.Max(_rho, curvature), _o.MaxRho);
            }
        }

        /// <summary>
        /// The right-hand side of D_k's value-function constraint: eps less the projection's feasibility tolerance and less
        /// the error the inexact lower-level solve can add to the gap of the next iterate, about its tolerance times
        /// (1 + ||x_{k+1} - x_k||) (errors of v(x_k) and of xi_k), where ||z_{k+1} - z_k|| &lt;= ||grad F(z_k)|| / rho because the
        /// projection is nonexpansive and z_k is in D_k. Never below eps / 2.
        /// </summary>
        private double Bound(double gradientNorm)
        {
            double lowerError = (_o.LowerLevel.StationarityTolerance + _o.LowerLevel.FeasibilityTolerance) * (1.0 + (gradientNorm / _rho));
            return Math.Max(_bound - lowerError, 0.5 * _o.Epsilon);
        }

        /// <summary>The result at the current iterate, after checking its lower-level gap g(x, y) - v(x) against epsilon.</summary>
        private StepOutcome FinishChecked(SolverStatus status, string message)
        {
            double gap = Gap();
            double allowed = _o.Epsilon + _o.LowerLevel.FeasibilityTolerance;
            double violation = MaxConstraint(X, Y);
            if (!(gap <= allowed) || !(violation <= _o.Projection.FeasibilityTolerance + _o.LowerLevel.FeasibilityTolerance))
            {
                return Finish(
                    SolverStatus.LowerLevelNotConverged,
                    $"{message}, but at the returned iterate the lower-level gap g(x, y) - v(x) = {Fmt.G(gap)} exceeds epsilon = {Fmt.G(_o.Epsilon)} or a lower-level constraint is violated (max u_j = {Fmt.G(violation)}): "
                    + "Y is not an epsilon-solution of the lower level. Tighten Projection and LowerLevel tolerances.",
                    evaluate: true);
            }

            string smoothed = _o.Smoothing > 0.0 ? $" of the mu = {Fmt.G(_o.Smoothing)} smoothed model" : string.Empty;
            return Finish(status, $"{message}. Lower-level gap g(x, y) - v(x){smoothed} = {Fmt.G(gap)} <= epsilon = {Fmt.G(_o.Epsilon)}.", evaluate: true);
        }

        /// <summary>g(x, y) - v(x) at the iterate, with v(x) from the last lower-level solve (done at the iterate's x).</summary>
        private double Gap() => _model.LowerValue(X, Y) - _v;

        private double MaxConstraint(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < _constraints; j++)
            {
                max = Math.Max(max, _model.LowerConstraintValue(j, x, y));
            }

            return _constraints == 0 ? 0.0 : max;
        }

        /// <summary>Whether (x_1, y0) already lies in the first D: u(x_1, y0) &lt;= tol and g(x_1, y0) - v(x_1) &lt;= eps'.</summary>
        private bool StartIsFeasible()
        {
            double gap = Gap();
            return gap <= _bound && MaxConstraint(X, Y) <= _o.Projection.FeasibilityTolerance;
        }

        /// <summary>
        /// Solves min_y g(x, y) s.t. u(x, y) &lt;= 0, y in Y at the iterate's x (warm-started), and sets v(x) and the subgradient
        /// xi = grad_x g + sum_j gamma_j grad_x u_j (Prop. 2.1) in the feasible set. Null on success, else the status to end
        /// the run with and its message.
        /// </summary>
        private SolverStatus? SolveLowerLevel(int k, out string message)
        {
            string Where() => k == 0 ? "at the start x_1" : $"at x_{k + 1} (after outer iteration {k})";

            message = string.Empty;
            X.CopyTo(_lowerProblem.X);
            ConstrainedSolveResult r = _lowerSolver.Minimize(_lowerProblem, _lowerProblem, _yLower, _gamma, _token);
            _lowerSteps = r.InnerSteps;
            if (r.Status == ConstrainedSolveStatus.Cancelled)
            {
                message = $"Cancelled during the lower-level solve {Where()}; X and Y are the last iterate.";
                return SolverStatus.Cancelled;
            }

            if (r.Status != ConstrainedSolveStatus.Converged)
            {
                string reason = r.Status switch
                {
                    ConstrainedSolveStatus.NonFinite => "g, a constraint or a gradient is not finite at the start of the solve",
                    ConstrainedSolveStatus.Infeasible => "the lower-level constraints u(x, y) <= 0 appear infeasible at this x (CCCP-BO assumes U(x) is nonempty for every x in C)",
                    _ => "the solver stopped at its iteration limit (is the lower level bounded below, and convex?)",
                };
                message = $"The lower-level problem min_y g(x, y) s.t. u(x, y) <= 0 was not solved {Where()}: {reason}; KKT residuals {Fmt.G(r.Stationarity)} (stationarity), "
                    + $"{Fmt.G(r.Complementarity)} (feasibility/complementarity), tolerances {Fmt.G(_o.LowerLevel.StationarityTolerance)}, {Fmt.G(_o.LowerLevel.FeasibilityTolerance)}. "
                    + "Without v(x) and its subgradient the method cannot continue; Y is not a lower-level solution.";
                return SolverStatus.LowerLevelNotConverged;
            }

            _v = r.Value;
            double v = _model.LowerGradient(X, _yLower, _feasibleSet.Xi, _gy);
            if (!double.IsFinite(v) || !VectorMath.AllFinite(_feasibleSet.Xi))
            {
                message = $"Diverged: the lower-level gradient is not finite at the lower-level solution {Where()}.";
                return SolverStatus.Diverged;
            }

            for (int j = 0; j < _constraints; j++)
            {
                if (_gamma[j] > 0.0)
                {
                    _model.LowerConstraintGradient(j, X, _yLower, _ux, _uy);
                    VectorMath.AddScaled(_feasibleSet.Xi, _gamma[j], _ux, _feasibleSet.Xi);
                }
            }

            if (!VectorMath.AllFinite(_feasibleSet.Xi))
            {
                message = $"Diverged: the subgradient xi of the value function is not finite {Where()}.";
                return SolverStatus.Diverged;
            }

            return null;
        }

        /// <summary>F(z) and its gradient over z = (x, y).</summary>
        private double UpperGradient(double[] z, double[] gradient) =>
            _model.UpperGradient(z.AsSpan(0, _m), z.AsSpan(_m), gradient.AsSpan(0, _m), gradient.AsSpan(_m));

        /// <summary>
        /// The majorisation F(z+) &lt;= F(z) + &lt;grad F(z), d&gt; + rho/2 ||d||^2 (d = z+ - z in _d), or within rounding its
        /// gradient form &lt;grad F(z+) - grad F(z), d&gt; &lt;= rho ||d||^2.
        /// </summary>
        private bool DescentHolds(double upper, double upperNext)
        {
            VectorMath.AddScaled(_zNext, -1.0, _z, _d);
            double dd = Dsl.SquaredNorm(_d);
            if (dd == 0.0)
            {
                return true;
            }

            double gd = Dsl.Dot(_gradF, _d);
            double bound = upper + gd + (0.5 * _rho * dd);
            if (upperNext <= bound)
            {
                return true;
            }

            double allowance = RoundingAllowance * (Math.Abs(upper) + Math.Abs(upperNext) + Math.Abs(gd));
            return upperNext <= bound + allowance && Dsl.Dot(_gradFNext, _d) - gd <= _rho * dd;
        }
    }
}
