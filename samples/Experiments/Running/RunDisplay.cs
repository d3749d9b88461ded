using System.Globalization;
using Spectre.Console;

namespace BilevelDsl.Experiments.Running;

/// <summary>Where runs report their progress: a live Spectre.Console display on a terminal, plain lines otherwise.</summary>
public interface IRunDisplay
{
    /// <summary>A run starts; returns a handle for its updates.</summary>
    IRunProgress Start(string label, int outerIterations);

    /// <summary>A line of text outside the progress bars.</summary>
    void Note(string text);
}

/// <summary>Progress of one run.</summary>
public interface IRunProgress
{
    void Update(int iteration, double upper, string? metricName, double metric, TimeSpan elapsed);

    void Finish(string status);
}

/// <summary>Chooses the display: Spectre's progress when stdout is an interactive terminal, else plain lines.</summary>
public static class RunDisplay
{
    public static void Run(Action<IRunDisplay> body)
    {
        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
        {
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(context => body(new SpectreDisplay(context)));
        }
        else
        {
            body(new PlainDisplay());
        }
    }

    internal static string Describe(string label, int iteration, int total, double upper, string? metricName, double metric, TimeSpan elapsed)
    {
        string text = string.Create(CultureInfo.InvariantCulture, $"{label}: outer {iteration}/{total}, F = {upper:G6}");
        if (metricName is not null && !double.IsNaN(metric))
        {
            text += string.Create(CultureInfo.InvariantCulture, $", {metricName} = {metric:G4}");
        }

        return text + string.Create(CultureInfo.InvariantCulture, $", {elapsed.TotalSeconds:F1} s");
    }

    private sealed class SpectreDisplay(ProgressContext context) : IRunDisplay
    {
        public IRunProgress Start(string label, int outerIterations)
        {
            ProgressTask task = context.AddTask(Markup.Escape(label), maxValue: Math.Max(outerIterations, 1));
            return new SpectreProgress(task, label, outerIterations);
        }

        public void Note(string text) => AnsiConsole.MarkupLine(Markup.Escape(text));
    }

    private sealed class SpectreProgress(ProgressTask task, string label, int total) : IRunProgress
    {
        public void Update(int iteration, double upper, string? metricName, double metric, TimeSpan elapsed)
        {
            task.Value = Math.Min(iteration, total);
            task.Description = Markup.Escape(Describe(label, iteration, total, upper, metricName, metric, elapsed));
        }

        public void Finish(string status)
        {
            task.Description = Markup.Escape($"{task.Description} [{status}]");
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }

    private sealed class PlainDisplay : IRunDisplay
    {
        public IRunProgress Start(string label, int outerIterations)
        {
            Console.WriteLine($"{label}: started ({outerIterations} outer iterations at most)");
            return new PlainProgress(label, outerIterations);
        }

        public void Note(string text) => Console.WriteLine(text);
    }

    /// <summary>One line per tenth of the run (and at least every 30 s), so CI logs stay short but show life.</summary>
    private sealed class PlainProgress(string label, int total) : IRunProgress
    {
        private readonly int _every = Math.Max(1, total / 10);
        private double _lastPrinted = double.NegativeInfinity;

        public void Update(int iteration, double upper, string? metricName, double metric, TimeSpan elapsed)
        {
            if (iteration % _every == 0 || elapsed.TotalSeconds - _lastPrinted >= 30)
            {
                _lastPrinted = elapsed.TotalSeconds;
                Console.WriteLine(Describe(label, iteration, total, upper, metricName, metric, elapsed));
            }
        }

        public void Finish(string status) => Console.WriteLine($"{label}: {status}");
    }
}
