namespace BilevelDsl.Numerics;

/// <summary>
/// Whether the symmetric part S = (A + A')/2 of a square matrix is positive semidefinite: a Cholesky factorisation of
/// S + delta I with delta = 1e-10 max(1, max |S_ij|) n succeeds exactly when the smallest eigenvalue of S exceeds
/// about -delta, so rounding-level negative eigenvalues of a PSD matrix pass and a clearly indefinite one fails.
/// O(n^3 / 6) work and an n x n scratch array; used once per solve for the data a convexity verdict rests on.
/// </summary>
internal static class SymmetricPsd
{
    /// <summary>Null when S is PSD (to the tolerance); otherwise why not.</summary>
    public static string? Check(Matrix? a)
    {
        if (a == null)
        {
            return "the matrix is null";
        }

        if (a.Rows != a.Columns)
        {
            return $"it is {a.Rows} x {a.Columns}, not square";
        }

        int n = a.Rows;
        var l = new double[n * n];
        double largest = 0.0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0.5 * (a[i, j] + a[j, i]);
                if (!double.IsFinite(s))
                {
                    return $"entry ({i}, {j}) is not finite";
                }

                l[(i * n) + j] = s;
                largest = Math.Max(largest, Math.Abs(s));
            }
        }

        double delta = 1e-10 * Math.Max(1.0, largest) * Math.Max(1, n);
        for (int j = 0; j < n; j++)
        {
            double pivot = l[(j * n) + j] + delta;
            for (int k = 0; k < j; k++)
            {
                pivot -= l[(j * n) + k] * l[(j * n) + k];
            }

            if (!(pivot > 0.0))
            {
                return $"its Cholesky factorisation (shifted by {delta:G3}) breaks down at pivot {j} ({pivot:G3}): it has a negative eigenvalue";
            }

            double root = Math.Sqrt(pivot);
            l[(j * n) + j] = root;
            for (int i = j + 1; i < n; i++)
            {
                double s = l[(i * n) + j];
                for (int k = 0; k < j; k++)
                {
                    s -= l[(i * n) + k] * l[(j * n) + k];
                }

                l[(i * n) + j] = s / root;
            }
        }

        return null;
    }
}
