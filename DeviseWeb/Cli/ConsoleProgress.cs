using System.Globalization;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Training;
using ShellProgressBar;

namespace DeviseWeb.Cli;

/// <summary>
/// A job's progress on the console, drawn from its events: a progress bar on a terminal; on a pipe or in CI, a plain
/// line every few seconds, one per training epoch and one per message the job logs (a rejected file, say). A job that
/// runs in passes (training, activation) gets a line as each pass begins, and the bar names the pass it is in with
/// that pass's own counts and time left. Events arrive on the job's thread.
/// </summary>
public sealed class ConsoleProgress : IDisposable
{
    private const int Ticks = 1000;
    private static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(3);
    private readonly object _lock = new();
    private readonly ProgressBar? _bar;
    private readonly TextWriter _log;
    private readonly string _title;
    private DateTime _lastLine = DateTime.MinValue;
    private int _lastDone = -1;
    private int _lastPass;
    private bool _disposed;

    public ConsoleProgress(string title, TextWriter log, bool interactive)
    {
        _title = title;
        _log = log;
        if (interactive)
            _bar = new ProgressBar(Ticks, title, new ProgressBarOptions
            {
                ProgressCharacter = '─', ForegroundColor = ConsoleColor.Cyan, BackgroundColor = ConsoleColor.DarkGray,
                ShowEstimatedDuration = true, CollapseWhenFinished = true, DisplayTimeInRealTime = true,
            });
    }

    /// <summary>
    /// A terminal a bar can be drawn on: neither stream redirected (the bar draws on stdout), not in CI, and wide enough
    /// (ShellProgressBar fails on a terminal that reports no width, as a bare pseudo-terminal does).
    /// </summary>
    public static bool IsInteractive(TextWriter errors) =>
        ReferenceEquals(errors, Console.Error) && !Console.IsOutputRedirected && !Console.IsErrorRedirected
        && Environment.GetEnvironmentVariable("CI") is null && WindowWidth() >= MinimumWidth;

    private const int MinimumWidth = 40;

    private static int WindowWidth()
    {
        try { return Console.WindowWidth; }
        catch (IOException) { return 0; }
    }

    public void Report(JobEvent e)
    {
        lock (_lock)
        {
            if (_disposed) return;
            switch (e.Type)
            {
                case JobEventType.Epoch when e.Epoch is { } epoch:
                    Line($"epoch {epoch.Epoch,3}/{e.Training?.Epochs}  train {epoch.TrainLoss:0.0000}  validation {epoch.ValidationLoss:0.0000}  lr {epoch.LearningRate:0.00000}");
                    Show(e, always: false);
                    break;
                case JobEventType.Progress when e.Message is not null: // a line the job logged
                    Line(e.Message);
                    break;
                case JobEventType.Progress:
                    Show(e, always: false);
                    break;
                case JobEventType.Finished:
                    Show(e, always: true);
                    break;
            }
        }
    }

    private void Show(JobEvent e, bool always)
    {
        if (e.Progress is not { } progress) return;
        if (progress.Phase is { } phase && phase.Number != _lastPass)
        {
            _lastPass = phase.Number;
            Line(string.Create(CultureInfo.InvariantCulture, $"pass {phase.Number}/{phase.Count}: {phase.Name}{(phase.Total is > 1 and var size ? $" ({size:N0})" : "")}"));
        }
        bool epoch = e.Training is { Phase: not TrainingPhase.Pass };
        string message = e.Training is { Phase: not TrainingPhase.Pass } t
            ? $"epoch {t.Epoch}/{t.Epochs} loss {t.TrainLoss:0.0000}" + (t.ValidationLoss is { } v ? $" val {v:0.0000}" : "")
            : progress.Phase is { } p ? Describe(p) : progress.Message ?? "";
        int done = (int)Math.Round(Math.Clamp(progress.Fraction, 0, 1) * Ticks);
        if (_bar is not null)
        {
            if (progress.Remaining is { } eta) _bar.EstimatedDuration = (progress.Elapsed ?? TimeSpan.Zero) + eta;
            _bar.Tick(done, message);
            return;
        }
        var now = DateTime.UtcNow;
        if (!always && now - _lastLine < LineInterval) return;
        if (done == _lastDone && done == Ticks) return; // the end, already shown by the last progress event
        _lastLine = now;
        _lastDone = done;
        // A pass's description carries its own counts: the same ones again would only repeat them.
        string counts = progress is { Done: { } d, Total: { } n } && (epoch || progress.Phase is null) ? $" {d:N0}/{n:N0}" : "";
        _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{_title}: {progress.Fraction,4:P0}{counts} {message}"));
    }

    /// <summary>"Label transfer 43 % 43,000/100,000, 0:35 left" (percentages as every progress line writes them).</summary>
    internal static string Describe(JobPhase phase)
    {
        string counts = phase is { Done: { } done, Total: > 1 and var total } ? $" {done:N0}/{total:N0}" : "";
        string left = phase.Remaining is { } remaining && phase.Fraction < 1 ? $", {Format(remaining)} left" : "";
        return string.Create(CultureInfo.InvariantCulture, $"{phase.Name} {phase.Fraction:P0}{counts}{left}");
    }

    private static string Format(TimeSpan span) =>
        span.ToString(span.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture);

    private void Line(string text)
    {
        if (_bar is not null) _bar.WriteLine(text);
        else _log.WriteLine(text);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            _bar?.Dispose();
        }
    }
}
