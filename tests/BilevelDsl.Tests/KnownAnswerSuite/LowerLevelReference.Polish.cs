namespace BilevelDsl.Tests.KnownAnswerSuite;

/// <summary>
/// A log-barrier polish of a zoom chain's end for lower levels with [LowerConstraint]s: the grid search can stall
/// along a curved or slanted active constraint (the staircase of feasible grid points hides the descent along it);
/// Nelder-Mead on f - mu sum log(-u_j), mu driven to 1e-15 (1 + |f|), moves along the constraint instead. Values
/// only, strictly feasible iterates; the polished point replaces the chain's end only if it is feasible and better.
/// </summary>
public sealed partial class LowerLevelReference
{
    private (double F, double[] Y) Polish(ReadOnlySpan<double> x, double[] end, double fEnd)
    {
        double[]? start = StrictlyFeasibleNear(x, end);
        if (start is null)
        {
            return (fEnd, end);
        }

        double[] xs = x.ToArray();
        double[] y = start;
        double scale = 1 + Math.Abs(fEnd);
        double size = 1e-2 * (1 + y.Max(Math.Abs));
        for (double mu = 1e-3 * scale; mu >= 1e-15 * scale; mu *= 0.1)
        {
            double m = mu;
            y = NelderMead(v => Barrier(xs, v, m), y, size, 40 * (n + 1));
            size = Math.Max(size * 0.3, 1e-9 * (1 + y.Max(Math.Abs)));
        }

        double f = Violation(x, y) > 0 ? double.PositiveInfinity : model.LowerValue(x, y);
        return f < fEnd ? (f, y) : (fEnd, end);
    }

    private double Barrier(double[] x, double[] y, double mu)
    {
        if (Violation(x, y) > 0)
        {
            return double.PositiveInfinity;
        }

        double b = model.LowerValue(x, y);
        for (int j = 0; j < model.LowerConstraintCount; j++)
        {
            double u = model.LowerConstraintValue(j, x, y);
            if (!(u < 0))
            {
                return double.PositiveInfinity;
            }

            b -= mu * Math.Log(-u);
        }

        return double.IsFinite(b) ? b : double.PositiveInfinity;
    }

    private double[]? StrictlyFeasibleNear(ReadOnlySpan<double> x, double[] y)
    {
        double[] probe = new double[n];
        double best = double.PositiveInfinity;
        double[]? found = null;
        foreach (double r in (double[])[0, 1e-9, 1e-7, 1e-5, 1e-3])
        {
            int patterns = 1;
            for (int i = 0; i < n; i++)
            {
                patterns *= 3;
            }

            for (int k = 0; k < patterns; k++)
            {
                int code = k;
                for (int i = 0; i < n; i++)
                {
                    probe[i] = y[i] + ((code % 3) - 1) * r * (1 + Math.Abs(y[i]));
                    code /= 3;
                }

                if (Violation(x, probe) > 0)
                {
                    continue;
                }

                bool strict = true;
                for (int j = 0; j < model.LowerConstraintCount && strict; j++)
                {
                    strict = model.LowerConstraintValue(j, x, probe) < 0;
                }

                double f = model.LowerValue(x, probe);
                if (strict && f < best)
                {
                    best = f;
                    found = (double[])probe.Clone();
                }
            }

            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    private static double[] NelderMead(Func<double[], double> g, double[] start, double size, int iterations)
    {
        int d = start.Length;
        var simplex = new double[d + 1][];
        var values = new double[d + 1];
        for (int i = 0; i <= d; i++)
        {
            simplex[i] = (double[])start.Clone();
            if (i > 0)
            {
                simplex[i][i - 1] += size;
            }

            values[i] = g(simplex[i]);
        }

        double[] centroid = new double[d], trial = new double[d], trial2 = new double[d];
        for (int it = 0; it < iterations; it++)
        {
            Array.Sort(values, simplex);
            Array.Clear(centroid);
            for (int i = 0; i < d; i++)
            {
                for (int k = 0; k < d; k++)
                {
                    centroid[k] += simplex[i][k] / d;
                }
            }

            double[] worst = simplex[d];
            Combine(centroid, worst, -1, trial);            // reflection
            double fr = g(trial);
            if (fr < values[0])
            {
                Combine(centroid, worst, -2, trial2);       // expansion
                double fe = g(trial2);
                Accept(fe < fr ? trial2 : trial, Math.Min(fe, fr));
            }
            else if (fr < values[d - 1])
            {
                Accept(trial, fr);
            }
            else
            {
                Combine(centroid, worst, 0.5, trial);       // inside contraction
                double fc = g(trial);
                if (fc < values[d])
                {
                    Accept(trial, fc);
                }
                else
                {
                    for (int i = 1; i <= d; i++)            // shrink towards the best vertex
                    {
                        for (int k = 0; k < d; k++)
                        {
                            simplex[i][k] = simplex[0][k] + (0.5 * (simplex[i][k] - simplex[0][k]));
                        }

                        values[i] = g(simplex[i]);
                    }
                }
            }
        }

        int best = Array.IndexOf(values, values.Min());
        return simplex[best];

        void Accept(double[] point, double value)
        {
            point.CopyTo(simplex[d], 0);
            values[d] = value;
        }

        static void Combine(double[] c, double[] w, double t, double[] into)
        {
            // into = c + t (w - c): t = -1 reflects, -2 expands, 0.5 contracts inside.
            for (int k = 0; k < c.Length; k++)
            {
                into[k] = c[k] + (t * (w[k] - c[k]));
            }
        }
    }
}
