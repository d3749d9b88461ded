namespace BilevelDsl.Benchmarks;

/// <summary>Seeded Gaussian data for the benchmarks (Box-Muller; no dependency beyond System.Random).</summary>
internal static class RandomData
{
    public static double Normal(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public static double[] Gaussian(Random random, int length, double sigma)
    {
        var v = new double[length];
        for (int i = 0; i < length; i++)
        {
            v[i] = sigma * Normal(random);
        }

        return v;
    }
}
