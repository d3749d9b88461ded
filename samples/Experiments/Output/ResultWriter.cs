using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using BilevelDsl.Experiments.Running;

namespace BilevelDsl.Experiments.Output;

/// <summary>
/// Writes result.json (settings, final metrics, status, timings; NaN and infinities as the strings "NaN",
/// "Infinity", "-Infinity") and history.csv (one row per outer iteration) for a run, and summary files for a table.
/// </summary>
public static class ResultWriter
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>result.json's content for one run: the keys of the issue at the top level.</summary>
    public static Dictionary<string, object?> Describe(string experiment, RunOutcome run, IReadOnlyDictionary<string, object?> settings, int xPreview = 20)
    {
        var json = new Dictionary<string, object?>
        {
            ["experiment"] = experiment,
            ["method"] = run.Method,
            ["label"] = run.Label,
            ["seed"] = run.Seed,
            ["status"] = run.Status.ToString(),
            ["message"] = run.Message,
            ["outerIterations"] = run.Iterations,
            ["wallSeconds"] = run.WallSeconds,
            ["cpuSeconds"] = run.CpuSeconds,
            ["secondsPerOuterIteration"] = run.SecondsPerOuterIteration,
            ["cpuSecondsPerOuterIteration"] = run.CpuSecondsPerOuterIteration,
            ["cpuSecondsAfterLastIteration"] = run.CpuSecondsAfterLastIteration,
            ["certificateSeconds"] = run.CertificateSeconds,
            ["kernelCpuSeconds"] = run.KernelCpuSeconds,
            ["kernelCpuSecondsAfterLastIteration"] = run.KernelCpuSecondsAfterLastIteration,
            ["kernelCalls"] = run.KernelCalls,
            ["kernelCallsInIterations"] = run.KernelCallsInIterations,
            ["kernelCpuSecondsByKind"] = run.KernelCpuSecondsByKind,
            ["upperValue"] = run.UpperValue,
            ["lowerValue"] = run.LowerValue,
        };
        foreach ((string key, double value) in run.Metrics)
        {
            json[key] = value;
        }

        json["settings"] = settings;
        json["xLength"] = run.X.Length;
        json["x"] = run.X.Length <= xPreview ? run.X : run.X.Take(xPreview).ToArray();
        json["machine"] = Machine();
        return json;
    }

    /// <summary>Writes result.json and history.csv of one run into <paramref name="directory"/>.</summary>
    public static void WriteRun(string directory, string experiment, RunOutcome run, IReadOnlyDictionary<string, object?> settings)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "result.json"), JsonSerializer.Serialize(Describe(experiment, run, settings), Json));
        WriteHistory(Path.Combine(directory, "history.csv"), run);
    }

    public static void WriteHistory(string path, RunOutcome run)
    {
        var csv = new StringBuilder();
        csv.Append("iteration,seconds,upper,lower,directionNorm,stepNorm,lowerStationarity,lowerIterations");
        foreach (string column in run.ExtraColumns)
        {
            csv.Append(',').Append(column);
        }

        // x as the solver's history kept it (SolverOptions.RecordX), one column per kept entry.
        int xColumns = run.History.Count == 0 ? 0 : run.History.Max(row => row.X?.Count ?? 0);
        for (int i = 0; i < xColumns; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $",x{i}");
        }

        csv.Append('\n');
        foreach (HistoryRow row in run.History)
        {
            csv.Append(CultureInfo.InvariantCulture,
                $"{row.Iteration},{F(row.Seconds)},{F(row.Upper)},{F(row.Lower)},{F(row.DirectionNorm)},{F(row.StepNorm)},{F(row.LowerStationarity)},{row.LowerIterations}");
            foreach (double value in row.Extra)
            {
                csv.Append(',').Append(F(value));
            }

            for (int i = 0; i < xColumns; i++)
            {
                csv.Append(',').Append(F(row.X is { } x && i < x.Count ? x[i] : double.NaN));
            }

            csv.Append('\n');
        }

        File.WriteAllText(path, csv.ToString());
    }

    /// <summary>Writes summary.json (every run) into <paramref name="directory"/>.</summary>
    public static void WriteSummary(string directory, string experiment, IReadOnlyList<RunOutcome> runs, IReadOnlyDictionary<string, object?> settings, IReadOnlyList<string> checks)
    {
        Directory.CreateDirectory(directory);
        var json = new Dictionary<string, object?>
        {
            ["experiment"] = experiment,
            ["settings"] = settings,
            ["runs"] = runs.Select(r => Describe(experiment, r, new Dictionary<string, object?>(), 0)).ToArray(),
            ["checks"] = checks,
            ["machine"] = Machine(),
        };
        File.WriteAllText(Path.Combine(directory, "summary.json"), JsonSerializer.Serialize(json, Json));
    }

    public static Dictionary<string, object?> Machine() => new()
    {
        ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        ["runtime"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
        ["processors"] = Environment.ProcessorCount,
        ["cpu"] = CpuModel(),
        ["loadAverage"] = LoadAverage(),
        ["utc"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
    };

    private static string CpuModel()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown" : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
