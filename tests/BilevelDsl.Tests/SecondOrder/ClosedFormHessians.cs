namespace BilevelDsl.Tests.SecondOrder;

/// <summary>
/// The models of ClosedFormModels.cs with their data and joint Hessians in (x, y) written out by hand from
/// the formulas (nothing here calls a generated kernel).
/// </summary>
public sealed class ClosedFormCase
{
    private readonly Func<Level, double[], double[], double[,]> hessian;

    private ClosedFormCase(string name, IBilevelKernels model, int nx, int ny, Func<Level, double[], double[], double[,]> hessian)
    {
        Name = name;
        Model = model;
        Nx = nx;
        Ny = ny;
        this.hessian = hessian;
    }

    public string Name { get; }

    public IBilevelKernels Model { get; }

    public int Nx { get; }

    public int Ny { get; }

    public double[,] Hessian(Level level, double[] x, double[] y) => hessian(level, x, y);

    public override string ToString() => Name;

    public static IEnumerable<ClosedFormCase> All()
    {
        yield return Quadratic();
        yield return Ridge();
        yield return Logistic();
        yield return Softmax();
        yield return MultinomialCase();
    }

    public static ClosedFormCase ByName(string name) => All().Single(c => c.Name == name);

    private static ClosedFormCase Quadratic()
    {
        var rng = new Random(11);
        const int n = 3, m = 4;
        Matrix pxx = Check.RandomMatrix(rng, n, n), pxy = Check.RandomMatrix(rng, n, m), pyy = Check.RandomMatrix(rng, m, m);
        Matrix qxx = Check.RandomMatrix(rng, n, n), qxy = Check.RandomMatrix(rng, n, m), qyy = Check.RandomMatrix(rng, m, m);
        double[] px = Check.Normal(rng, n), py = Check.Normal(rng, m), qx = Check.Normal(rng, n), qy = Check.Normal(rng, m);
        var model = new BilevelQuadratic(pxx, pxy, pyy, px, py, qxx, qxy, qyy, qx, qy);
        double[,] Joint(Matrix xx, Matrix xy, Matrix yy)
        {
            var h = new double[n + m, n + m];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    h[i, j] = 0.5 * (xx[i, j] + xx[j, i]);
                }

                for (int j = 0; j < m; j++)
                {
                    h[i, n + j] = xy[i, j];
                    h[n + j, i] = xy[i, j];
                }
            }

            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < m; j++)
                {
                    h[n + i, n + j] = 0.5 * (yy[i, j] + yy[j, i]);
                }
            }

            return h;
        }

        double[,] upper = Joint(pxx, pxy, pyy), lower = Joint(qxx, qxy, qyy);
        return new ClosedFormCase("quadratic", model, n, m, (level, _, _) => level == Level.Upper ? upper : lower);
    }

    /// <summary>2/n A'A (plus the regulariser's 2 e^x0 I, e^x0 ||w||^2 and the mixed 2 e^x0 w).</summary>
    private static ClosedFormCase Ridge()
    {
        var rng = new Random(12);
        const int n = 7, mval = 5, d = 4;
        Matrix a = Check.RandomMatrix(rng, n, d), v = Check.RandomMatrix(rng, mval, d);
        double[] b = Check.Normal(rng, n), c = Check.Normal(rng, mval);
        var model = new LogRidge(a, b, v, c);
        double[,] Hessian(Level level, double[] x, double[] w)
        {
            var h = new double[1 + d, 1 + d];
            Matrix data = level == Level.Upper ? v : a;
            for (int i = 0; i < data.Rows; i++)
            {
                for (int j = 0; j < d; j++)
                {
                    for (int k = 0; k < d; k++)
                    {
                        h[1 + j, 1 + k] += 2.0 * data[i, j] * data[i, k] / data.Rows;
                    }
                }
            }

            if (level == Level.Upper)
            {
                h[0, 0] = 1.0;
                return h;
            }

            double e = Math.Exp(x[0]);
            h[0, 0] = e * Check.Dot(w, w);
            for (int j = 0; j < d; j++)
            {
                h[1 + j, 1 + j] += 2 * e;
                h[0, 1 + j] = h[1 + j, 0] = 2 * e * w[j];
            }

            return h;
        }

        return new ClosedFormCase("ridge", model, 1, d, Hessian);
    }

    /// <summary>(1/n) sum s_i (1 - s_i) a_i a_i' with s_i = sigmoid(-b_i a_i'w), plus e^x0 I, e^x0/2 ||w||^2, e^x0 w.</summary>
    private static ClosedFormCase Logistic()
    {
        var rng = new Random(13);
        const int n = 9, mval = 6, d = 5;
        Matrix a = Check.RandomMatrix(rng, n, d), v = Check.RandomMatrix(rng, mval, d);
        double[] b = Enumerable.Range(0, n).Select(_ => rng.Next(2) == 0 ? -1.0 : 1.0).ToArray();
        double[] c = Enumerable.Range(0, mval).Select(_ => rng.Next(2) == 0 ? -1.0 : 1.0).ToArray();
        var model = new LogisticL2(a, b, v, c);
        double[,] Hessian(Level level, double[] x, double[] w)
        {
            var h = new double[1 + d, 1 + d];
            Matrix data = level == Level.Upper ? v : a;
            double[] labels = level == Level.Upper ? c : b;
            for (int i = 0; i < data.Rows; i++)
            {
                double margin = 0;
                for (int j = 0; j < d; j++)
                {
                    margin += data[i, j] * w[j];
                }

                double s = 1.0 / (1.0 + Math.Exp(labels[i] * margin)); // sigmoid(-b_i a_i'w)
                for (int j = 0; j < d; j++)
                {
                    for (int k = 0; k < d; k++)
                    {
                        h[1 + j, 1 + k] += s * (1 - s) * data[i, j] * data[i, k] / data.Rows;
                    }
                }
            }

            if (level == Level.Upper)
            {
                return h;
            }

            double e = Math.Exp(x[0]);
            h[0, 0] = 0.5 * e * Check.Dot(w, w);
            for (int j = 0; j < d; j++)
            {
                h[1 + j, 1 + j] += e;
                h[0, 1 + j] = h[1 + j, 0] = e * w[j];
            }

            return h;
        }

        return new ClosedFormCase("logistic", model, 1, d, Hessian);
    }

    private static double[] Softmax(double[] z)
    {
        double max = z.Max();
        double[] e = z.Select(t => Math.Exp(t - max)).ToArray();
        double sum = e.Sum();
        return e.Select(t => t / sum).ToArray();
    }

    /// <summary>Upper: [[diag p - pp', I], [I, I]] with p = softmax(x). Lower: diag q - qq' + e^x0 I, e^x0 z, e^x0/2 ||z||^2.</summary>
    private static ClosedFormCase Softmax()
    {
        var rng = new Random(14);
        const int k = 5;
        double[] t = Softmax(Check.Normal(rng, k)); // a soft target
        var model = new SoftmaxLogits(t);
        double[,] Hessian(Level level, double[] x, double[] z)
        {
            var h = new double[2 * k, 2 * k];
            if (level == Level.Upper)
            {
                double[] p = Softmax(x);
                for (int i = 0; i < k; i++)
                {
                    for (int j = 0; j < k; j++)
                    {
                        h[i, j] = (i == j ? p[i] : 0) - (p[i] * p[j]);
                    }

                    h[i, k + i] = h[k + i, i] = 1;
                    h[k + i, k + i] = 1;
                }

                return h;
            }

            double[] q = Softmax(z);
            double e = Math.Exp(x[0]);
            for (int i = 0; i < k; i++)
            {
                for (int j = 0; j < k; j++)
                {
                    h[k + i, k + j] = (i == j ? q[i] + e : 0) - (q[i] * q[j]);
                }

                h[0, k + i] = h[k + i, 0] = e * z[i];
            }

            h[0, 0] = 0.5 * e * Check.Dot(z, z);
            return h;
        }

        return new ClosedFormCase("softmax", model, k, k, Hessian);
    }

    /// <summary>(1/n) sum_i (diag p_i - p_i p_i') kron a_i a_i' (+ e^x0 I, e^x0 W, e^x0/2 ||W||^2 in the lower level).</summary>
    private static ClosedFormCase MultinomialCase()
    {
        var rng = new Random(15);
        const int n = 8, mval = 5, d = 3, classes = 4;
        Matrix a = Check.RandomMatrix(rng, n, d), v = Check.RandomMatrix(rng, mval, d);
        int[] labels = Enumerable.Range(0, n).Select(_ => rng.Next(classes)).ToArray();
        int[] validationLabels = Enumerable.Range(0, mval).Select(_ => rng.Next(classes)).ToArray();
        var model = new Multinomial(a, labels, classes, v, validationLabels);
        double[,] Hessian(Level level, double[] x, double[] w)
        {
            int size = classes * d;
            var h = new double[1 + size, 1 + size];
            Matrix data = level == Level.Upper ? v : a;
            for (int i = 0; i < data.Rows; i++)
            {
                var logits = new double[classes];
                for (int c = 0; c < classes; c++)
                {
                    for (int j = 0; j < d; j++)
                    {
                        logits[c] += w[(c * d) + j] * data[i, j];
                    }
                }

                double[] p = Softmax(logits);
                for (int c = 0; c < classes; c++)
                {
                    for (int l = 0; l < classes; l++)
                    {
                        double weight = (c == l ? p[c] : 0) - (p[c] * p[l]);
                        for (int j = 0; j < d; j++)
                        {
                            for (int m = 0; m < d; m++)
                            {
                                h[1 + (c * d) + j, 1 + (l * d) + m] += weight * data[i, j] * data[i, m] / data.Rows;
                            }
                        }
                    }
                }
            }

            if (level == Level.Upper)
            {
                return h;
            }

            double e = Math.Exp(x[0]);
            h[0, 0] = 0.5 * e * Check.Dot(w, w);
            for (int j = 0; j < size; j++)
            {
                h[1 + j, 1 + j] += e;
                h[0, 1 + j] = h[1 + j, 0] = e * w[j];
            }

            return h;
        }

        return new ClosedFormCase("multinomial", model, 1, classes * d, Hessian);
    }
}
