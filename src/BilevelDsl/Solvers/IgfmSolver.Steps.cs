using BilevelDsl.Numerics;

namespace BilevelDsl.Solvers;

public sealed partial class IgfmSolver
{
    private sealed partial class Run
    {
        /// <summary>
        /// The stopping test: every iterate of the window lies within delta of the current x, and the mean of the window's
        /// estimates has norm at most tolerance.
        /// </summary>
        private bool WindowIsStationary(int window, double delta, double tolerance, out double meanNorm)
        {
            int m = _m;
            Array.Clear(_meanG);
            meanNorm = double.NaN;
            for (int j = 0; j < window; j++)
            {
                double distance = 0.0;
                for (int i = 0; i < m; i++)
                {
                    double d = _windowX[(j * m) + i] - _x[i];
                    distance += d * d;
                    _meanG[i] += _windowG[(j * m) + i];
                }

                if (distance > delta * delta)
                {
                    return false;
                }
            }

            meanNorm = VectorMath.Norm2(_meanG) / window;
            return meanNorm <= tolerance;
        }

        /// <summary>u = z / ||z||, z standard Gaussian (Box-Muller): uniform on the unit sphere.</summary>
        private void SampleDirection()
        {
            while (true)
            {
                for (int i = 0; i < _m; i += 2)
                {
                    double radius = Math.Sqrt(-2.0 * Math.Log(1.0 - _random.NextDouble()));
                    double angle = 2.0 * Math.PI * _random.NextDouble();
                    _u[i] = radius * Math.Cos(angle);
                    if (i + 1 < _m)
                    {
                        _u[i + 1] = radius * Math.Sin(angle);
                    }
                }

                double norm = VectorMath.Norm2(_u);
                if (norm > 0.0 && double.IsFinite(norm))
                {
                    for (int i = 0; i < _m; i++)
                    {
                        _u[i] /= norm;
                    }

                    return;
                }
            }
        }
    }
}
