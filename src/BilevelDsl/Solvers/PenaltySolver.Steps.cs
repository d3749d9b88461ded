using System.Numerics.Tensors;
using BilevelDsl.Numerics;
using BilevelDsl.Solvers.Inner;

namespace BilevelDsl.Solvers;

public sealed partial class PenaltySolver
{
    private sealed partial class Run
    {
        /// <summary>
        /// The penalised problem is stationary but grad_y f is not small: either gamma is too small (the residual shrinks like
        /// 1/gamma), or d2f/dy2 grad_y f = 0 with grad_y f != 0, a spurious stationary point of the penalty where the lower-level
        /// Hessian is singular along grad_y f (raising gamma does not help there).
        /// </summary>
        private string UnsolvedLowerLevel(double gamma, double sigma)
        {
            double curvature = VectorMath.Norm2(_objective.HessianY);
            bool spurious = !(curvature > 1e-8 * sigma);
            return $"Penalty stopped at the final penalty gamma = {HypergradientSolver.Format(gamma)} with the lower level not solved: ||grad_y f|| = {HypergradientSolver.Format(sigma)} > LowerTolerance "
                + $"{HypergradientSolver.Format(_o.LowerTolerance)}. "
                + (spurious
                    ? $"(x, y) is a spurious stationary point of the penalty: d2f/dy2 grad_y f = 0 (norm {HypergradientSolver.Format(curvature)}) while grad_y f is not 0, so the penalty "
                        + "cannot decrease ||grad_y f|| here (the lower-level Hessian is singular along grad_y f). Start y elsewhere."
                    : "The residual shrinks like 1/gamma: raise PenaltyMax (or LowerTolerance).");
        }

        private double Gamma(int round) => Math.Min(_o.PenaltyInitial * Math.Pow(_o.PenaltyGrowth, round), _o.PenaltyMax);

        /// <summary>g = grad_x F + gamma hvp_xy_f(grad_y f) at (x, y): one upper gradient, one lower gradient, one HVP.</summary>
        private string? Gradient(out double upper, out double lower)
        {
            _objective.ValueAndGradient(_y, _gy);
            upper = _objective.Upper;
            lower = _objective.LowerValue;
            TensorPrimitives.MultiplyAdd(_objective.MixedX, _objective.Gamma, _objective.UpperX, _g);
            if (!double.IsFinite(upper))
            {
                return $"the upper-level value F(x, y) is {InputValidation.Describe(upper)}";
            }

            if (!double.IsFinite(lower) || !VectorMath.AllFinite(_objective.LowerY))
            {
                return $"the lower-level value or gradient is not finite (f = {InputValidation.Describe(lower)})";
            }

            return VectorMath.AllFinite(_g) ? null : $"the penalised x-gradient has a non-finite entry ({VectorMath.FirstNonFinite(_g)})";
        }

        private double ProjectedNorm() => Stationarity.UpperResidual(_model, _hasUpperDomain, _x, _g, _scratch);
    }
}
