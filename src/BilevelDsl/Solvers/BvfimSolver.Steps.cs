using BilevelDsl.Numerics;

namespace BilevelDsl.Solvers;

public sealed partial class BvfimSolver
{
    private sealed partial class Run
    {
        /// <summary>
        /// Brings y back strictly inside the barrier domain f(x, y) &lt; f* (phase one of the interior-point method):
        /// first by up to T_z Armijo gradient steps on f(x, .) from y, which leave the components of y that f does
        /// not depend on untouched; failing that, by the first point of z + t (y - z), t = 1/2, 1/4, ..., inside the
        /// domain, or z itself (z is strictly feasible: f* - f(x, z) &gt;= mu2). On entry _fyX, _fyY hold the gradient
        /// of f at y; on exit they hold it at the new y. Returns f(x, y).
        /// </summary>
        private double RestoreFeasibility(double fStar, double fy)
        {
            for (int t = 0; t < _o.ZSteps && !(fy < fStar); t++)
            {
                _fyY.AsSpan().CopyTo(_dy);
                double dd = Dsl.Dot(_dy, _dy);
                if (dd == 0.0)
                {
                    break;
                }

                double step = _o.ZStepSize;
                bool accepted = false;
                double fTrial = 0.0;
                for (int halving = 0; halving <= MaxHalvings; halving++, step *= 0.5)
                {
                    VectorMath.AddScaled(_y, -step, _dy, _yTrial);
                    fTrial = _model.LowerGradient(_x, _yTrial, _fyXTrial, _fyYTrial);
                    if (AllFinite(fTrial, _fyXTrial, _fyYTrial) && fTrial <= fy - (ArmijoFraction * step * dd))
                    {
                        accepted = true;
                        break;
                    }
                }

                if (!accepted)
                {
                    break;
                }

                VectorMath.Swap(ref _y, ref _yTrial);
                VectorMath.Swap(ref _fyX, ref _fyXTrial);
                VectorMath.Swap(ref _fyY, ref _fyYTrial);
                fy = fTrial;
            }

            if (fy < fStar)
            {
                return fy;
            }

            double segment = 1.0;
            bool found = false;
            for (int halving = 0; halving < MaxHalvings; halving++)
            {
                segment *= 0.5;
                for (int i = 0; i < _yTrial.Length; i++)
                {
                    _yTrial[i] = _z[i] + (segment * (_y[i] - _z[i]));
                }

                if (_model.LowerValue(_x, _yTrial) < fStar)
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                _z.AsSpan().CopyTo(_yTrial);
            }

            VectorMath.Swap(ref _y, ref _yTrial);
            return _model.LowerGradient(_x, _y, _fyX, _fyY);
        }

        /// <summary>
        /// Eq. (19): T_y gradient steps on the barrier problem. Step sizes are spectral (Barzilai-Borwein,
        /// s = |dy|^2 / (dy . d(grad)), at most s2), safeguarded by a non-monotone backtracking line search that
        /// keeps every iterate strictly inside the barrier domain. Returns F and f at the final y.
        /// </summary>
        private (double Fy, double fy) DescendBarrierProblem(double theta, double tau, double fStar, double Fy, double fy)
        {
            int memory = 0;
            for (int t = 0; t < _o.YSteps; t++)
            {
                double gap = fStar - fy;
                double weight = tau / gap;

                // d = dF/dy + theta y + tau df/dy / (f* - f)
                VectorMath.AddScaled(_FyY, theta, _y, _dy);
                VectorMath.AddScaled(_dy, weight, _fyY, _dy);
                double dd = Dsl.Dot(_dy, _dy);
                if (dd == 0.0)
                {
                    break;
                }

                double yy = Dsl.SquaredNorm(_y);
                double logGap = Math.Log(gap);
                double phi = Fy + (0.5 * theta * yy) - (tau * logGap);
                _phiMemory[memory++ % _phiMemory.Length] = phi;
                double reference = phi;
                for (int i = 0; i < Math.Min(memory, _phiMemory.Length); i++)
                {
                    reference = Math.Max(reference, _phiMemory[i]);
                }

                // Rounding error of phi: the log of a difference of two O(|f|) numbers amplifies eps |f| by tau / gap.
                double allowance = RoundingAllowance
                    * (Math.Abs(Fy) + (0.5 * theta * yy) + (tau * Math.Abs(logGap)) + (weight * (Math.Abs(fStar) + Math.Abs(fy))));

                double step = Math.Min(_ySpectralStep, _o.YStepSize);
                bool accepted = false;
                double FTrial = 0.0;
                double fTrial = 0.0;
                double slopeTrial = 0.0;
                for (int halving = 0; halving <= MaxHalvings; halving++, step *= 0.5)
                {
                    VectorMath.AddScaled(_y, -step, _dy, _yTrial);
                    fTrial = _model.LowerGradient(_x, _yTrial, _fyXTrial, _fyYTrial);
                    if (!(fTrial < fStar) || !AllFinite(fTrial, _fyXTrial, _fyYTrial))
                    {
                        continue; // outside the barrier's domain (or not evaluable): shorten the step
                    }

                    FTrial = _model.UpperGradient(_x, _yTrial, _FyXTrial, _FyYTrial);
                    if (!AllFinite(FTrial, _FyXTrial, _FyYTrial))
                    {
                        continue;
                    }

                    double gapTrial = fStar - fTrial;
                    double phiTrial = FTrial + (0.5 * theta * Dsl.SquaredNorm(_yTrial)) - (tau * Math.Log(gapTrial));
                    slopeTrial = Dsl.Dot(_dy, _FyYTrial) + (theta * Dsl.Dot(_dy, _yTrial)) + (tau / gapTrial * Dsl.Dot(_dy, _fyYTrial));
                    double required = reference - (BarrierArmijoFraction * step * dd);
                    if (phiTrial <= required)
                    {
                        accepted = true;
                        break;
                    }

                    // Within rounding error of the test: decide by the trapezoid estimate of the decrease, computed
                    // from the directional derivatives at both ends (exact to rounding, unlike phi):
                    // -step/2 (d.d + d.dTrial) <= -c step d.d  <=>  d.dTrial >= (2c - 1) d.d.
                    if (phiTrial <= required + allowance && slopeTrial >= ((2.0 * ArmijoFraction) - 1.0) * dd)
                    {
                        accepted = true;
                        break;
                    }
                }

                if (!accepted)
                {
                    _ySpectralStep = _o.YStepSize;
                    break;
                }

                // Barzilai-Borwein: with s = -step d and r = dTrial - d, s.s / s.r = step d.d / (d.d - d.dTrial).
                double curvature = dd - slopeTrial;
                _ySpectralStep = curvature > 0.0 ? step * dd / curvature : _o.YStepSize;

                VectorMath.Swap(ref _y, ref _yTrial);
                VectorMath.Swap(ref _FyX, ref _FyXTrial);
                VectorMath.Swap(ref _FyY, ref _FyYTrial);
                VectorMath.Swap(ref _fyX, ref _fyXTrial);
                VectorMath.Swap(ref _fyY, ref _fyYTrial);
                Fy = FTrial;
                fy = fTrial;
            }

            return (Fy, fy);
        }

        private static bool AllFinite(double value, ReadOnlySpan<double> gradX, ReadOnlySpan<double> gradY) =>
            double.IsFinite(value) && VectorMath.AllFinite(gradX) && VectorMath.AllFinite(gradY);

        /// <summary>Null if value and gradients are finite, otherwise a message naming the first non-finite quantity.</summary>
        private static string? NonFinite(double value, ReadOnlySpan<double> gradX, ReadOnlySpan<double> gradY, string objective, string at)
        {
            if (!double.IsFinite(value))
            {
                return $"the {Level(objective)} value {objective}(x, {at}) is {InputValidation.Describe(value)}";
            }

            if (!VectorMath.AllFinite(gradX))
            {
                return $"the {Level(objective)} gradient d{objective}/dx at (x, {at}) has a non-finite entry ({VectorMath.FirstNonFinite(gradX)})";
            }

            if (!VectorMath.AllFinite(gradY))
            {
                return $"the {Level(objective)} gradient d{objective}/dy at (x, {at}) has a non-finite entry ({VectorMath.FirstNonFinite(gradY)})";
            }

            return null;
        }

        private static string Level(string objective) => objective == "F" ? "upper-level" : "lower-level";
    }
}
