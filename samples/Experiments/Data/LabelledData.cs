namespace BilevelDsl.Experiments.Data;

/// <summary>Samples as rows of a row-major feature array, with an integer class or a real target per row.</summary>
/// <param name="Features">Rows x Columns, row-major.</param>
/// <param name="Columns">Features per sample.</param>
/// <param name="Labels">Class per sample (classification) or null.</param>
/// <param name="Targets">Real target per sample (regression) or null.</param>
public sealed record LabelledData(double[] Features, int Columns, int[]? Labels, double[]? Targets)
{
    /// <summary>The number of samples.</summary>
    public int Rows => Columns == 0 ? 0 : Features.Length / Columns;

    /// <summary>The samples at <paramref name="indices"/>, in that order (copies).</summary>
    public LabelledData Take(ReadOnlySpan<int> indices)
    {
        double[] features = new double[indices.Length * Columns];
        int[]? labels = Labels is null ? null : new int[indices.Length];
        double[]? targets = Targets is null ? null : new double[indices.Length];
        for (int k = 0; k < indices.Length; k++)
        {
            int i = indices[k];
            Features.AsSpan(i * Columns, Columns).CopyTo(features.AsSpan(k * Columns, Columns));
            if (labels is not null)
            {
                labels[k] = Labels![i];
            }

            if (targets is not null)
            {
                targets[k] = Targets![i];
            }
        }

        return new LabelledData(features, Columns, labels, targets);
    }

    /// <summary>The same samples with a constant 1 appended to every row (the bias feature of a linear model).</summary>
    public LabelledData WithBiasColumn()
    {
        int columns = Columns + 1;
        double[] features = new double[Rows * columns];
        for (int i = 0; i < Rows; i++)
        {
            Features.AsSpan(i * Columns, Columns).CopyTo(features.AsSpan(i * columns, Columns));
            features[(i * columns) + Columns] = 1.0;
        }

        return this with { Features = features, Columns = columns };
    }

    /// <summary>The features as a <see cref="Matrix"/> view (no copy).</summary>
    public Matrix ToMatrix() => new(Rows, Columns, Features);
}
