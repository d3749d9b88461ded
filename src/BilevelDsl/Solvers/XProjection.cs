namespace BilevelDsl.Solvers;

/// <summary>
/// What a run's history keeps of x at each outer iteration (<see cref="SolverOptions.RecordX"/>): a function of the
/// iterate that returns a new array, for example <c>x =&gt; [x[0]]</c> for one hyperparameter, or
/// <see cref="XProjections.All"/> for a copy of the whole vector.
/// </summary>
/// <param name="x">The upper-level iterate at the end of the iteration; valid only during the call.</param>
/// <returns>The values to keep; the history keeps the returned array, so return a new one each call.</returns>
public delegate double[] XProjection(ReadOnlySpan<double> x);

/// <summary>Ready-made <see cref="XProjection"/>s.</summary>
public static class XProjections
{
    /// <summary>A copy of the whole of x (memory grows as iterations x dim x).</summary>
    public static XProjection All { get; } = static x => x.ToArray();

    /// <summary>The entries of x at <paramref name="indices"/>, in that order.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="indices"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is negative.</exception>
    public static XProjection Entries(params int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int[] copy = (int[])indices.Clone();
        foreach (int i in copy)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(i, nameof(indices));
        }

        return x =>
        {
            var kept = new double[copy.Length];
            for (int k = 0; k < copy.Length; k++)
            {
                kept[k] = x[copy[k]];
            }

            return kept;
        };
    }
}
