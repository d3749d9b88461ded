using BilevelDsl.Experiments.Running;
using ScottPlot;

namespace BilevelDsl.Experiments.Output;

/// <summary>
/// Figures rendered with ScottPlot (PNG and SVG, headless, font DejaVu Sans): one line per run. ScottPlot has no log
/// axis, so a logarithmic quantity is plotted as log10 with tick labels that show the value.
/// </summary>
public static class Plots
{
    public const int Width = 720;
    public const int Height = 450;

    /// <summary>A series of a figure.</summary>
    public sealed record Series(string Name, double[] Xs, double[] Ys);

    /// <summary>Upper objective and the task metric against iteration and against time: four figures (PNG + SVG each).</summary>
    public static IReadOnlyList<string> WriteStandard(string directory, string title, IReadOnlyList<RunOutcome> runs, string? metric, string? metricLabel, bool logUpper = false)
    {
        var written = new List<string>();
        written.AddRange(Write(directory, "upper-vs-iteration", title, "outer iteration", "upper objective F", Collect(runs, r => r.Iteration, r => r.Upper), logUpper));
        written.AddRange(Write(directory, "upper-vs-time", title, "seconds", "upper objective F", Collect(runs, r => r.Seconds, r => r.Upper), logUpper));
        if (metric is not null)
        {
            int Index(RunOutcome r) => r.ExtraColumns.ToList().IndexOf(metric);
            written.AddRange(Write(directory, $"{metric}-vs-iteration", title, "outer iteration", metricLabel ?? metric,
                runs.Select(r => Filter(r.Label, r.History.Select(h => (double)h.Iteration), r.History.Select(h => Index(r) >= 0 ? h.Extra[Index(r)] : double.NaN))).ToList(), false));
            written.AddRange(Write(directory, $"{metric}-vs-time", title, "seconds", metricLabel ?? metric,
                runs.Select(r => Filter(r.Label, r.History.Select(h => h.Seconds), r.History.Select(h => Index(r) >= 0 ? h.Extra[Index(r)] : double.NaN))).ToList(), false));
        }

        return written;
    }

    private static List<Series> Collect(IReadOnlyList<RunOutcome> runs, Func<HistoryRow, double> x, Func<HistoryRow, double> y) =>
        runs.Select(r => Filter(r.Label, r.History.Select(x), r.History.Select(y))).ToList();

    /// <summary>Drops points with a non-finite coordinate (metrics are NaN between evaluations).</summary>
    public static Series Filter(string name, IEnumerable<double> xs, IEnumerable<double> ys)
    {
        var pairs = xs.Zip(ys).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToArray();
        return new Series(name, pairs.Select(p => p.First).ToArray(), pairs.Select(p => p.Second).ToArray());
    }

    /// <summary>Writes <paramref name="name"/>.png and .svg; returns their paths (none when there is nothing to draw).</summary>
    public static IReadOnlyList<string> Write(string directory, string name, string title, string xLabel, string yLabel, IReadOnlyList<Series> series, bool logY, bool markers = false)
    {
        if (series.All(s => s.Xs.Length == 0))
        {
            return [];
        }

        Directory.CreateDirectory(directory);
        var plot = new Plot();
        plot.Font.Set("DejaVu Sans");
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(logY ? yLabel + " (log scale)" : yLabel);
        foreach (Series s in series)
        {
            double[] ys = logY ? s.Ys.Select(v => v > 0 ? Math.Log10(v) : double.NaN).ToArray() : s.Ys;
            var points = s.Xs.Zip(ys).Where(p => double.IsFinite(p.Second)).ToArray();
            if (points.Length == 0)
            {
                continue;
            }

            var scatter = plot.Add.Scatter(points.Select(p => p.First).ToArray(), points.Select(p => p.Second).ToArray());
            scatter.LegendText = s.Name;
            scatter.LineWidth = 2;
            scatter.MarkerSize = markers || points.Length == 1 ? 6 : 0;
        }

        if (logY)
        {
            var ticks = new ScottPlot.TickGenerators.NumericAutomatic
            {
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                LabelFormatter = v => $"{Math.Pow(10, v):G3}",
                IntegerTicksOnly = true,
            };
            plot.Axes.Left.TickGenerator = ticks;
        }

        if (series.Count > 1)
        {
            plot.ShowLegend();
        }

        string png = Path.Combine(directory, name + ".png");
        string svg = Path.Combine(directory, name + ".svg");
        plot.SavePng(png, Width, Height);
        plot.SaveSvg(svg, Width, Height);
        return [png, svg];
    }
}
