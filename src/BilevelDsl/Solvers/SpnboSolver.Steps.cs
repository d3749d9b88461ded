using BilevelDsl.Numerics;
using BilevelDsl.Solvers.Driver;

namespace BilevelDsl.Solvers;

public sealed partial class SpnboSolver
{
    private sealed partial class Run
    {
        /// <summary>Algorithm 2 from the current (x, y, p) until the conditions (10) hold with tolerance eps, or the step limit.</summary>
        private RoundEnd RunRound(double eps, out int steps, CancellationToken cancellationToken)
        {
            SpnboOptions o = _o;
            steps = 0;
            if (!Evaluate(_x, _y, _c, _upperX, _upperY))
            {
                return RoundEnd.Diverged;
            }

            double eps2 = eps * eps;
            while (true)
            {
                // (Re)start of Algorithm 2: clip ranges, fresh estimates, and the conditions (10) at the start point.
                if (!SetClipRange() || !StartEstimates() || !CheckConditions())
                {
                    return RoundEnd.Diverged;
                }

                int t = 0;
                int sinceScaling = 0;
                while (!Met(eps2))
                {
                    if (GradientsMet(eps2) && _beta < o.PenaltyMax)
                    {
                        // Only ||c|| fails: c = O(1/beta) at the stationary points of L, so raise beta and restart.
                        double factor = Math.Max(o.PenaltyGrowth, 2.0 * _constraintNorm / eps);
                        _beta = Math.Min(_beta * factor, o.PenaltyMax);
                        break;
                    }

                    if (steps >= o.MaxInnerSteps)
                    {
                        return RoundEnd.StepLimit;
                    }

                    for (int s = 0; s < o.CheckInterval && steps < o.MaxInnerSteps; s++)
                    {
                        if (cancellationToken.IsCancellationRequested)
                        {
                            return RoundEnd.Cancelled;
                        }

                        if (!Step(t))
                        {
                            return RoundEnd.Diverged;
                        }

                        t++;
                        steps++;
                        sinceScaling++;
                    }

                    if (o.CurvatureInterval > 0 && sinceScaling >= o.CurvatureInterval)
                    {
                        sinceScaling = 0;
                        if (!SetClipRange())
                        {
                            return RoundEnd.Diverged;
                        }
                    }

                    if (!CheckConditions())
                    {
                        return RoundEnd.Diverged;
                    }
                }

                if (Met(eps2))
                {
                    return RoundEnd.ConditionsMet;
                }
            }
        }

        private bool Met(double eps2) => GradientsMet(eps2) && (_constraintNorm * _constraintNorm) <= eps2;

        private bool GradientsMet(double eps2) => (_gradXNorm * _gradXNorm) <= eps2 && (_gradYNorm * _gradYNorm) <= eps2;

        /// <summary>One SCG step from (z_t, p_t) with estimates m_t, v_t to (z_{t+1}, p_{t+1}) with m_{t+1}, v_{t+1}.</summary>
        private bool Step(int t)
        {
            SpnboOptions o = _o;
            int m = _m;
            int n = _n;
            double eta = Math.Min(1.0, o.EtaScale / Math.Cbrt(o.EtaOffset + t));
            double a1 = Math.Min(1.0, o.MomentumConstant * eta * eta);
            double a2 = Math.Min(1.0, o.DualMomentumConstant * eta * eta);
            double keep1 = 1.0 - a1;
            double keep2 = 1.0 - a2;
            double aHat = o.SecondMomentWeight;

            _x.AsSpan().CopyTo(_xPrevious);
            _y.AsSpan().CopyTo(_yPrevious);
            _p.AsSpan().CopyTo(_pPrevious);
            VectorMath.Swap(ref _c, ref _cPrevious);
            VectorMath.Swap(ref _upperX, ref _upperXPrevious);
            VectorMath.Swap(ref _upperY, ref _upperYPrevious);

            // (7), (8): z_{t+1} = z_t - eta gamma A^-1 m.
            double zStep = eta * o.StepSize;
            for (int i = 0; i < m; i++)
            {
                _x[i] -= Math.Clamp(zStep * _mz[i] / Math.Sqrt(Math.Clamp(_vz[i], _rho[i], _b[i])), -zStep, zStep);
            }

            for (int i = 0; i < n; i++)
            {
                _y[i] -= Math.Clamp(zStep * _mz[m + i] / Math.Sqrt(Math.Clamp(_vz[m + i], _rho[m + i], _b[m + i])), -zStep, zStep);
            }

            if (_hasUpperDomain)
            {
                _model.ProjectUpper(_x);
            }

            // (9): p_{t+1} = p_t + eta (P_simplex(p_t + sigma B^-1 m^p) - p_t).
            for (int i = 0; i < n; i++)
            {
                _pTrial[i] = _p[i] + (o.DualStepSize * _mp[i] / Math.Sqrt(Math.Clamp(_vp[i], _rhoP, _bP)));
            }

            if (!VectorMath.AllFinite(_x) || !VectorMath.AllFinite(_y) || !VectorMath.AllFinite(_pTrial))
            {
                Restore();
                _divergence = "the SCG step made the iterate non-finite";
                return false;
            }

            Projections.Simplex(_pTrial);
            for (int i = 0; i < n; i++)
            {
                _p[i] += eta * (_pTrial[i] - _p[i]);
            }

            // (5) at z_{t+1} and z_t with the same samples i_1..i_B ~ p_{t+1}: the batch mean of 2 beta c_i grad c_i is
            // 2 beta J' u with u_i = (count of i / B) c_i, one Hessian-vector product with (0, u) at each point.
            SampleConstraints();
            double lower = _model.LowerGradient(_x, _y, _lowerX, _c);
            double upper = _model.UpperGradient(_x, _y, _upperX, _upperY);
            for (int i = 0; i < n; i++)
            {
                _weighted[i] = _counts[i] * _c[i];
                _weightedPrevious[i] = _counts[i] * _cPrevious[i];
            }

            _model.LowerHessianVector(_x, _y, _zeroX, _weighted, _rowX, _rowY);
            _model.LowerHessianVector(_xPrevious, _yPrevious, _zeroX, _weightedPrevious, _rowXPrevious, _rowYPrevious);
            if (!double.IsFinite(upper) || !double.IsFinite(lower) || !VectorMath.AllFinite(_c) || !VectorMath.AllFinite(_upperX) || !VectorMath.AllFinite(_upperY)
                || !VectorMath.AllFinite(_rowX) || !VectorMath.AllFinite(_rowY) || !VectorMath.AllFinite(_rowXPrevious) || !VectorMath.AllFinite(_rowYPrevious))
            {
                Restore();
                _divergence = $"F, f_mu, their gradients or a Jacobian-vector product of c = grad_y f_mu is not finite at the new iterate (F = {Fmt.G(upper)}, f_mu = {Fmt.G(lower)})";
                return false;
            }

            double twoBeta = 2.0 * _beta;
            for (int i = 0; i < m; i++)
            {
                double gNew = _upperX[i] + (twoBeta * _rowX[i]);
                double gOld = _upperXPrevious[i] + (twoBeta * _rowXPrevious[i]);
                _mz[i] = gNew + (keep1 * (_mz[i] - gOld));
                _vz[i] = (aHat * gNew * gNew) + ((1.0 - aHat) * _vz[i]);
            }

            for (int i = 0; i < n; i++)
            {
                double gNew = _upperY[i] + (twoBeta * _rowY[i]);
                double gOld = _upperYPrevious[i] + (twoBeta * _rowYPrevious[i]);
                _mz[m + i] = gNew + (keep1 * (_mz[m + i] - gOld));
                _vz[m + i] = (aHat * gNew * gNew) + ((1.0 - aHat) * _vz[m + i]);
            }

            // (6) with j_1..j_B uniform, at (z_{t+1}, p_{t+1}) and (z_t, p_t): g^p = n sum_b e_(j_b) (beta c_j^2 - tau p_j) / B.
            SampleUniform();
            for (int i = 0; i < n; i++)
            {
                double share = n * _dualCounts[i];
                double gpNew = share * ((_beta * _c[i] * _c[i]) - (o.Tau * _p[i]));
                double gpOld = share * ((_beta * _cPrevious[i] * _cPrevious[i]) - (o.Tau * _pPrevious[i]));
                _mp[i] = gpNew + (keep2 * (_mp[i] - gpOld));
                _vp[i] = (aHat * gpNew * gpNew) + ((1.0 - aHat) * _vp[i]);
            }

            return true;
        }

        /// <summary>Back to the previous iterate (after a non-finite step).</summary>
        private void Restore()
        {
            _xPrevious.AsSpan().CopyTo(_x);
            _yPrevious.AsSpan().CopyTo(_y);
            _pPrevious.AsSpan().CopyTo(_p);
            VectorMath.Swap(ref _c, ref _cPrevious);
            VectorMath.Swap(ref _upperX, ref _upperXPrevious);
            VectorMath.Swap(ref _upperY, ref _upperYPrevious);
        }

        /// <summary>_counts_i = (number of draws of i) / B for B independent draws i ~ p (binary search in the cumulative sums).</summary>
        private void SampleConstraints()
        {
            int n = _n;
            double total = 0.0;
            for (int i = 0; i < n; i++)
            {
                total += _p[i];
                _cumulative[i] = total;
                _counts[i] = 0.0;
            }

            int batch = _o.BatchSize;
            double share = 1.0 / batch;
            for (int b = 0; b < batch; b++)
            {
                double u = _random.NextDouble() * total;
                int lo = 0;
                int hi = n - 1;
                while (lo < hi)
                {
                    int mid = (lo + hi) >> 1;
                    if (_cumulative[mid] > u)
                    {
                        hi = mid;
                    }
                    else
                    {
                        lo = mid + 1;
                    }
                }

                while (lo > 0 && _p[lo] <= 0.0)
                {
                    lo--; // u at the very top of the range: the last index with mass
                }

                _counts[lo] += share;
            }
        }

        /// <summary>_dualCounts_j = (number of draws of j) / B for B independent uniform draws.</summary>
        private void SampleUniform()
        {
            Array.Clear(_dualCounts);
            int batch = _o.BatchSize;
            double share = 1.0 / batch;
            for (int b = 0; b < batch; b++)
            {
                _dualCounts[_random.Next(_n)] += share;
            }
        }

        /// <summary>c = grad_y f_mu and grad F at (x, y); false (with the reason set) if anything is not finite.</summary>
        private bool Evaluate(double[] x, double[] y, double[] c, double[] upperX, double[] upperY)
        {
            double lower = _model.LowerGradient(x, y, _lowerX, c);
            double upper = _model.UpperGradient(x, y, upperX, upperY);
            if (double.IsFinite(lower) && double.IsFinite(upper) && VectorMath.AllFinite(c) && VectorMath.AllFinite(upperX) && VectorMath.AllFinite(upperY))
            {
                return true;
            }

            _divergence = $"F, f_mu or their gradients are not finite at the iterate (F = {Fmt.G(upper)}, f_mu = {Fmt.G(lower)})";
            return false;
        }

        /// <summary>m_0 = g(z_0) with a batch i ~ p_0 and v_0 = m_0^2; m^p_0 = g^p(z_0, p_0) with a uniform batch, v^p_0 = (m^p_0)^2.</summary>
        private bool StartEstimates()
        {
            int m = _m;
            int n = _n;
            SampleConstraints();
            for (int i = 0; i < n; i++)
            {
                _weighted[i] = _counts[i] * _c[i];
            }

            _model.LowerHessianVector(_x, _y, _zeroX, _weighted, _rowX, _rowY);
            if (!VectorMath.AllFinite(_rowX) || !VectorMath.AllFinite(_rowY))
            {
                _divergence = "a Jacobian-vector product of c = grad_y f_mu is not finite";
                return false;
            }

            double twoBeta = 2.0 * _beta;
            for (int i = 0; i < m; i++)
            {
                _mz[i] = _upperX[i] + (twoBeta * _rowX[i]);
                _vz[i] = _mz[i] * _mz[i];
            }

            for (int i = 0; i < n; i++)
            {
                _mz[m + i] = _upperY[i] + (twoBeta * _rowY[i]);
                _vz[m + i] = _mz[m + i] * _mz[m + i];
            }

            SampleUniform();
            for (int i = 0; i < n; i++)
            {
                _mp[i] = n * _dualCounts[i] * ((_beta * _c[i] * _c[i]) - (_o.Tau * _p[i]));
                _vp[i] = _mp[i] * _mp[i];
            }

            return true;
        }
    }
}
