namespace BilevelDsl.Tests.SeedSolvers.Cccp;

/// <summary>The problem data from a seeded generator, with an upper bound on L derived from the data.</summary>
internal sealed record SeedProblem(CccpSeedSynthetic Model, double[] C, double[] D, double[,] A, double[] X0, double[] Y0, double L)
{
    public const int Dimension = 10;
    public const int Rank = 6;

    public static SeedProblem Create(int seed)
    {
        var rng = new Random(seed);
        double[] c = AugmentedLagrangianTests.Normal(rng, Dimension);
        double[] d = AugmentedLagrangianTests.Normal(rng, Dimension);

        // B = P Q with P 10x6 and Q 6x10 has rank 6, so A = B'B is positive semidefinite with a 4-dimensional null space.
        double[] p = AugmentedLagrangianTests.Normal(rng, Dimension * Rank, 1 / Math.Sqrt(Rank));
        double[] q = AugmentedLagrangianTests.Normal(rng, Rank * Dimension, 1 / Math.Sqrt(Dimension));
        double[,] b = new double[Dimension, Dimension];
        for (int i = 0; i < Dimension; i++)
        {
            for (int j = 0; j < Dimension; j++)
            {
                for (int l = 0; l < Rank; l++)
                {
                    b[i, j] += p[(i * Rank) + l] * q[(l * Dimension) + j];
                }
            }
        }

        double[,] a = new double[Dimension, Dimension];
        double[] flat = new double[Dimension * Dimension];
        for (int i = 0; i < Dimension; i++)
        {
            for (int j = 0; j < Dimension; j++)
            {
                for (int l = 0; l < Dimension; l++)
                {
                    a[i, j] += b[l, i] * b[l, j];
                }

                flat[(i * Dimension) + j] = a[i, j];
            }
        }

        // Hessian of sin(w'z): -sin(.) w w', norm <= ||c||^2 + ||d||^2. Hessian of ln(||s||^2 + 1) in s: eigenvalues
        // 2/(1 + r^2) and 2(1 - r^2)/(1 + r^2)^2, all in [-2, 2]; s = x + y = [I I] z doubles it: at most 4 in z.
        double lipschitz = c.Sum(t => t * t) + d.Sum(t => t * t) + 4;
        double[] x0 = AugmentedLagrangianTests.Normal(rng, Dimension);
        double[] y0 = AugmentedLagrangianTests.Normal(rng, Dimension);
        return new SeedProblem(new CccpSeedSynthetic(c, d, new Matrix(Dimension, Dimension, flat)), c, d, a, x0, y0, lipschitz);
    }

    /// <summary>The lower-level gap g(x, y) - v(x) = 1/2 (x + y)'A(x + y) (v = 0: A is PSD and y = -x attains 0).</summary>
    public double Gap(double[] x, double[] y)
    {
        double s = 0;
        for (int i = 0; i < Dimension; i++)
        {
            for (int j = 0; j < Dimension; j++)
            {
                s += 0.5 * A[i, j] * (x[i] + y[i]) * (x[j] + y[j]);
            }
        }

        return s;
    }

    /// <summary>F computed here from the data (not from the kernels).</summary>
    public double Upper(double[] x, double[] y)
    {
        double cx = 0, dy = 0, ss = 0;
        for (int i = 0; i < Dimension; i++)
        {
            cx += C[i] * x[i];
            dy += D[i] * y[i];
            ss += (x[i] + y[i]) * (x[i] + y[i]);
        }

        return Math.Sin(cx + dy) + Math.Log(ss + 1);
    }
}
