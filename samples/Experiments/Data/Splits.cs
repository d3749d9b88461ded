using BilevelDsl.Experiments.Cli;

namespace BilevelDsl.Experiments.Data;

/// <summary>Seeded shuffles, disjoint splits and label corruption.</summary>
public static class Splits
{
    /// <summary>A seeded permutation of 0..n-1 (Fisher-Yates).</summary>
    public static int[] Permutation(int n, Random random)
    {
        int[] order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        for (int i = n - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    /// <summary>Disjoint random subsets of the given sizes, in order.</summary>
    /// <exception cref="ExperimentException">The sizes add up to more samples than there are.</exception>
    public static LabelledData[] Disjoint(LabelledData data, Random random, params int[] sizes) =>
        DisjointIndices(data.Rows, random, sizes).Select(indices => data.Take(indices)).ToArray();

    /// <summary>The row indices of disjoint random subsets of 0..n-1 of the given sizes.</summary>
    /// <exception cref="ExperimentException">The sizes add up to more than n.</exception>
    public static int[][] DisjointIndices(int n, Random random, params int[] sizes)
    {
        long total = sizes.Sum(s => (long)s);
        if (sizes.Any(s => s <= 0) || total > n)
        {
            throw new ExperimentException($"the split sizes {string.Join(" + ", sizes)} must be positive and at most the {n} samples available");
        }

        int[] order = Permutation(n, random);
        var parts = new int[sizes.Length][];
        int start = 0;
        for (int p = 0; p < sizes.Length; p++)
        {
            parts[p] = order.AsSpan(start, sizes[p]).ToArray();
            start += sizes[p];
        }

        return parts;
    }

    /// <summary>
    /// Replaces the label of each sample with probability <paramref name="fraction"/> (exactly round(fraction n) samples
    /// when <paramref name="exact"/>) by a class drawn uniformly, from the other classes when <paramref name="differentClass"/>
    /// (else from all, so a replaced label may stay right); returns the new labels and which samples are clean.
    /// </summary>
    public static (int[] Labels, bool[] Clean) Corrupt(int[] labels, int classes, double fraction, Random random, bool exact, bool differentClass = true)
    {
        int n = labels.Length;
        int[] corrupted = (int[])labels.Clone();
        bool[] clean = Enumerable.Repeat(true, n).ToArray();
        IEnumerable<int> chosen = exact
            ? Permutation(n, random).Take((int)Math.Round(fraction * n))
            : Enumerable.Range(0, n).Where(_ => random.NextDouble() < fraction).ToArray();
        foreach (int i in chosen)
        {
            if (differentClass)
            {
                int other = random.Next(classes - 1);
                corrupted[i] = other >= labels[i] ? other + 1 : other;
            }
            else
            {
                corrupted[i] = random.Next(classes);
            }

            clean[i] = corrupted[i] == labels[i];
        }

        return (corrupted, clean);
    }
}
