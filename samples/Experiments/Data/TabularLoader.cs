using System.Globalization;
using System.IO.Compression;
using BilevelDsl.Experiments.Cli;

namespace BilevelDsl.Experiments.Data;

/// <summary>
/// Loads a regression data set from any delimited text file (comma, semicolon, tab or spaces; optional header row;
/// optionally gzipped) or a LIBSVM file (<c>target index:value ...</c>, 1-based indices). With a separate target file
/// every column of the data file is a feature; otherwise the last column is the target.
/// </summary>
public static class TabularLoader
{
    /// <summary>The diabetes data (Efron et al. 2004, 442 patients, 10 features) that Debian's python3-sklearn installs.</summary>
    public const string DiabetesDirectory = "/usr/lib/python3/dist-packages/sklearn/datasets/data";

    /// <summary>Loads features and targets; <paramref name="targetPath"/> null means the last column (or the LIBSVM label).</summary>
    /// <exception cref="ExperimentException">A file is missing or a value does not parse.</exception>
    public static LabelledData Load(string path, string? targetPath)
    {
        if (!File.Exists(path))
        {
            throw new ExperimentException(path.StartsWith(DiabetesDirectory, StringComparison.Ordinal)
                ? $"{path} not found: install the Debian package python3-sklearn (apt-get install python3-sklearn) or pass --data FILE"
                : $"data file {path} not found");
        }

        List<string> lines = ReadLines(path);
        if (lines.Count > 0 && IsLibSvm(lines[0]))
        {
            return ParseLibSvm(lines, path);
        }

        List<double[]> rows = ParseDelimited(lines, path);
        if (rows.Count == 0)
        {
            throw new ExperimentException($"{path} has no numeric rows");
        }

        int width = rows[0].Length;
        if (targetPath is null && width < 2)
        {
            throw new ExperimentException($"{path} has one column: give the targets in a second column or with --target FILE");
        }

        double[] targets;
        int columns;
        if (targetPath is not null)
        {
            if (!File.Exists(targetPath))
            {
                throw new ExperimentException($"target file {targetPath} not found");
            }

            List<double[]> targetRows = ParseDelimited(ReadLines(targetPath), targetPath);
            if (targetRows.Count != rows.Count)
            {
                throw new ExperimentException($"{targetPath} has {targetRows.Count} rows but {path} has {rows.Count}");
            }

            targets = targetRows.Select(r => r[^1]).ToArray();
            columns = width;
        }
        else
        {
            targets = rows.Select(r => r[^1]).ToArray();
            columns = width - 1;
        }

        double[] features = new double[rows.Count * columns];
        for (int i = 0; i < rows.Count; i++)
        {
            rows[i].AsSpan(0, columns).CopyTo(features.AsSpan(i * columns, columns));
        }

        return new LabelledData(features, columns, null, targets);
    }

    /// <summary>Centres every feature column and the target and scales them to unit standard deviation (constant columns stay 0).</summary>
    public static LabelledData Standardize(LabelledData data)
    {
        int n = data.Rows, d = data.Columns;
        double[] features = (double[])data.Features.Clone();
        for (int j = 0; j < d; j++)
        {
            double mean = 0, square = 0;
            for (int i = 0; i < n; i++)
            {
                mean += features[(i * d) + j];
            }

            mean /= n;
            for (int i = 0; i < n; i++)
            {
                double t = features[(i * d) + j] - mean;
                square += t * t;
            }

            double sd = Math.Sqrt(square / n);
            for (int i = 0; i < n; i++)
            {
                features[(i * d) + j] = sd > 0 ? (features[(i * d) + j] - mean) / sd : 0.0;
            }
        }

        double[] targets = (double[])data.Targets!.Clone();
        double tm = targets.Average();
        double ts = Math.Sqrt(targets.Sum(t => (t - tm) * (t - tm)) / n);
        for (int i = 0; i < n; i++)
        {
            targets[i] = ts > 0 ? (targets[i] - tm) / ts : 0.0;
        }

        return new LabelledData(features, d, null, targets);
    }

    private static List<string> ReadLines(string path)
    {
        using Stream file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Trim().Length > 0 && !line.TrimStart().StartsWith('#'))
            {
                lines.Add(line);
            }
        }

        return lines;
    }

    private static bool IsLibSvm(string line)
    {
        string[] tokens = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return tokens.Length >= 2 && tokens.Skip(1).All(t => t.Contains(':'));
    }

    private static string[] SplitFields(string line)
    {
        char[] separators = line.Contains(',') ? [','] : line.Contains(';') ? [';'] : [' ', '\t'];
        return line.Split(separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static List<double[]> ParseDelimited(List<string> lines, string path)
    {
        var rows = new List<double[]>();
        for (int l = 0; l < lines.Count; l++)
        {
            string[] fields = SplitFields(lines[l]);
            var values = new double[fields.Length];
            bool numeric = true;
            for (int k = 0; k < fields.Length && numeric; k++)
            {
                numeric = double.TryParse(fields[k], NumberStyles.Float, CultureInfo.InvariantCulture, out values[k]);
            }

            if (!numeric)
            {
                if (l == 0)
                {
                    continue; // a header row
                }

                throw new ExperimentException($"{path}, line {l + 1}: not a number in \"{lines[l]}\"");
            }

            if (rows.Count > 0 && values.Length != rows[0].Length)
            {
                throw new ExperimentException($"{path}, line {l + 1}: {values.Length} fields where the first row has {rows[0].Length}");
            }

            rows.Add(values);
        }

        return rows;
    }

    private static LabelledData ParseLibSvm(List<string> lines, string path)
    {
        var entries = new List<(double Target, List<(int Index, double Value)> Values)>();
        int columns = 0;
        for (int l = 0; l < lines.Count; l++)
        {
            string[] tokens = lines[l].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (!double.TryParse(tokens[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double target))
            {
                throw new ExperimentException($"{path}, line {l + 1}: the target \"{tokens[0]}\" is not a number");
            }

            var values = new List<(int, double)>();
            foreach (string token in tokens.Skip(1))
            {
                int colon = token.IndexOf(':');
                if (colon < 1
                    || !int.TryParse(token.AsSpan(0, colon), NumberStyles.Integer, CultureInfo.InvariantCulture, out int index) || index < 1
                    || !double.TryParse(token.AsSpan(colon + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                {
                    throw new ExperimentException($"{path}, line {l + 1}: \"{token}\" is not index:value with a 1-based index");
                }

                values.Add((index - 1, value));
                columns = Math.Max(columns, index);
            }

            entries.Add((target, values));
        }

        double[] features = new double[entries.Count * columns];
        for (int i = 0; i < entries.Count; i++)
        {
            foreach ((int index, double value) in entries[i].Values)
            {
                features[(i * columns) + index] = value;
            }
        }

        return new LabelledData(features, columns, null, entries.Select(e => e.Target).ToArray());
    }
}
