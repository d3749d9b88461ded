using BilevelDsl.Numerics;

namespace BilevelDsl.Solvers;

public sealed partial class BomeSolver
{
    private sealed partial class Run
    {
        /// <summary>||y - P(y - df/dy)|| (||df/dy|| without a lower domain), with df/dy at y in _fy.</summary>
        private double LowerStationarity()
        {
            if (!_lowerDomain)
            {
                return VectorMath.Norm2(_fy);
            }

            VectorMath.AddScaled(_y, -1.0, _fy, _scratchY);
            _model.ProjectLower(_scratchY);
            return VectorMath.Distance(_y, _scratchY);
        }

        private static string? NonFinite(double value, ReadOnlySpan<double> gradient, string objective, string at)
        {
            string level = objective == "F" ? "upper-level" : "lower-level";
            if (!double.IsFinite(value))
            {
                return $"the {level} value {objective}(x, {at}) is {InputValidation.Describe(value)}";
            }

            return VectorMath.AllFinite(gradient)
                ? null
                : $"the {level} gradient of {objective} at (x, {at}) has a non-finite entry ({VectorMath.FirstNonFinite(gradient)})";
        }
    }
}
