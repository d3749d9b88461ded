using BilevelDsl.Numerics;

namespace BilevelDsl.Solvers;

public sealed partial class SpnboSolver
{
    private sealed partial class Run
    {
        /// <summary>
        /// [rho_j, b_j] for each coordinate j of z, and [rho, b] for p: the options' values, or the automatic ranges
        /// rho_j = (gamma D_j)^2, b_j = ClipRange rho_j, with D_j the diagonal of the Gauss-Newton curvature
        /// of L in z, D = diag(2 beta J' diag(p) J) + |diag(d2F)|. Row k of J = dc/dz is the lower Hessian times (0, e_k),
        /// so the estimate costs n lower and m + n upper Hessian-vector products.
        /// </summary>
        private bool SetClipRange()
        {
            SpnboOptions o = _o;
            int m = _m;
            int n = _n;
            if (o.ClipLower is double rho && o.ClipUpper is double b)
            {
                Array.Fill(_rho, rho);
                Array.Fill(_b, b);
                _rhoP = rho;
                _bP = b;
                return true;
            }

            Array.Clear(_rho);
            double twoBeta = 2.0 * _beta;
            for (int k = 0; k < n; k++)
            {
                if (_p[k] <= 0.0)
                {
                    continue;
                }

                _unitY[k] = 1.0;
                _model.LowerHessianVector(_x, _y, _unitX, _unitY, _columnX, _columnY); // row k of J
                _unitY[k] = 0.0;
                double weight = twoBeta * _p[k];
                for (int j = 0; j < m; j++)
                {
                    _rho[j] += weight * _columnX[j] * _columnX[j];
                }

                for (int j = 0; j < n; j++)
                {
                    _rho[m + j] += weight * _columnY[j] * _columnY[j];
                }
            }

            for (int j = 0; j < m + n; j++)
            {
                if (j < m)
                {
                    _unitX[j] = 1.0;
                }
                else
                {
                    _unitY[j - m] = 1.0;
                }

                _model.UpperHessianVector(_x, _y, _unitX, _unitY, _columnX, _columnY);
                _rho[j] += Math.Abs(j < m ? _columnX[j] : _columnY[j - m]);
                if (j < m)
                {
                    _unitX[j] = 0.0;
                }
                else
                {
                    _unitY[j - m] = 0.0;
                }
            }

            if (!VectorMath.AllFinite(_rho))
            {
                _divergence = "the curvature estimate (Hessian-vector products of F and f_mu) is not finite";
                return false;
            }

            double largest = VectorMath.NormInf(_rho);
            double floor = largest > 0.0 ? largest * 1e-12 : 1.0; // a coordinate L does not curve along still gets a finite range
            for (int j = 0; j < m + n; j++)
            {
                double scale = o.StepSize * Math.Max(_rho[j], floor);
                _rho[j] = scale * scale;
                _b[j] = _rho[j] * o.ClipRange;
            }

            double dual = o.DualStepSize * o.Tau;
            _rhoP = dual * dual;
            _bP = _rhoP * o.ClipRange;
            return true;
        }

        /// <summary>The full gradients of L and ||c|| at (z, p) (one HVP with (0, p.c)); false if not finite.</summary>
        private bool CheckConditions()
        {
            for (int i = 0; i < _n; i++)
            {
                _weighted[i] = _p[i] * _c[i];
            }

            _model.LowerHessianVector(_x, _y, _zeroX, _weighted, _hx, _hy);
            double twoBeta = 2.0 * _beta;
            double sx = 0.0;
            for (int i = 0; i < _m; i++)
            {
                double g = _upperX[i] + (twoBeta * _hx[i]);
                sx += g * g;
            }

            double sy = 0.0;
            for (int i = 0; i < _n; i++)
            {
                double g = _upperY[i] + (twoBeta * _hy[i]);
                sy += g * g;
            }

            _gradXNorm = Math.Sqrt(sx);
            _gradYNorm = Math.Sqrt(sy);
            _constraintNorm = VectorMath.Norm2(_c);
            if (double.IsFinite(_gradXNorm) && double.IsFinite(_gradYNorm) && double.IsFinite(_constraintNorm))
            {
                return true;
            }

            _divergence = "the full gradient of L is not finite";
            return false;
        }
    }
}
