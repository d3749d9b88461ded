using BilevelDsl.Numerics;
using BilevelDsl.Solvers.Driver;
using BilevelDsl.Solvers.Inner;

namespace BilevelDsl.Solvers;

public abstract partial class HypergradientSolver
{
    private sealed partial class OuterLoop
    {
        public HypergradientEstimate EstimateOnce(CancellationToken cancellationToken)
        {
            double floor = _o.LowerTolerance.Floor;
            if (!LowerSolve(floor, cancellationToken, out InnerSolveResult lower, out StepOutcome early, 0))
            {
                return FailedEstimate(_c.X.Length, _c.Y, early.Status, early.Message);
            }

            HypergradientOutcome h = _method.Compute(int.MaxValue, floor);
            if (h.Violation is not null)
            {
                return FailedEstimate(_c.X.Length, _c.Y, SolverStatus.AssumptionViolated, "Assumption violated: " + h.Violation);
            }

            if (h.Failure is not null)
            {
                return FailedEstimate(_c.X.Length, _c.Y, SolverStatus.Diverged, "Diverged: " + h.Failure);
            }

            double sigma = h.LowerStationarity;
            if (double.IsNaN(sigma))
            {
                sigma = _lowerSolver is not null && !_method.MovesLowerVariable ? lower.Stationarity : _c.MeasureLower().Stationarity;
            }

            bool ok = sigma <= floor && h.Accurate;
            return new HypergradientEstimate
            {
                Gradient = (double[])_c.G.Clone(),
                Y = (double[])_c.Y.Clone(),
                UpperValue = h.UpperValue,
                LowerStationarity = sigma,
                Status = !VectorMath.AllFinite(_c.G) ? SolverStatus.Diverged : ok ? SolverStatus.Converged : SolverStatus.LowerLevelNotConverged,
                Message = ok
                    ? $"{Name} hypergradient at lower-level stationarity {Format(sigma)}."
                    : $"{Name} hypergradient computed, but the lower-level stationarity {Format(sigma)} is above {Format(floor)}{(h.Accurate ? string.Empty : " and the method's inner solve did not reach its tolerance")}.",
            };
        }

        /// <summary>The optional lower-level solve of step 2; false (with the result to return) when the run must end.</summary>
        private bool LowerSolve(double eps, CancellationToken cancellationToken, out InnerSolveResult result, out StepOutcome early, int k)
        {
            early = StepOutcome.Continue;
            result = default;
            if (_lowerSolver is null)
            {
                return true;
            }

            result = _lowerSolver.Minimize(_c.LowerObjective, _c.Y, _o.LowerLevel.Rule(eps), cancellationToken);
            switch (result.Status)
            {
                case InnerSolveStatus.NonFinite:
                    early = Diverged(k, $"the lower-level objective or its gradient is not finite at (x, y) (f = {InputValidation.Describe(result.Value)})");
                    return false;
                case InnerSolveStatus.Cancelled:
                    early = Finish(SolverStatus.Cancelled, $"Cancelled in outer iteration {k + 1} (lower-level solve); X and Y are the last iterate.", evaluate: true);
                    return false;
                case InnerSolveStatus.Stalled:
                    early = Finish(
                        SolverStatus.LowerLevelNotConverged,
                        $"Lower level not converged in outer iteration {k + 1}: the {_o.LowerLevel.Kind} solver's stationarity ||grad_y f|| stopped decreasing at {Format(result.Stationarity)} "
                        + $"(tolerance {Format(eps)}) after {result.Steps} steps. The lower level may be unbounded below or not smooth, or the solver unsuited "
                        + "(Adam with a constant step has an accuracy floor); Y is not a lower-level solution.",
                        evaluate: true);
                    return false;
                default:
                    return true;
            }
        }

        private static string? NonFinite(double upper, double lower, double sigma) =>
            !double.IsFinite(upper) ? $"the upper-level value F(x, y) is {InputValidation.Describe(upper)}"
            : !double.IsFinite(lower) ? $"the lower-level value f(x, y) is {InputValidation.Describe(lower)}"
            : !double.IsFinite(sigma) ? $"the lower-level gradient grad_y f(x, y) is not finite"
            : null;
    }
}
