using ShellProgressBar;

namespace DeviseWeb.Cli;

/// <summary>A progress bar on a terminal; on a pipe or in CI, a plain line every few seconds instead.</summary>
public sealed class ConsoleProgress : IDisposable
{
    private readonly ProgressBar? _bar;
    private readonly TextWriter _log;
    private readonly string _title;
    private DateTime _lastLine = DateTime.MinValue;

    public ConsoleProgress(string title, int total, TextWriter log)
    {
        _title = title;
        _log = log;
        if (!Console.IsOutputRedirected && !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("CI") is null)
            _bar = new ProgressBar(Math.Max(1, total), title, new ProgressBarOptions
            {
                ProgressCharacter = '─', ForegroundColor = ConsoleColor.Cyan, BackgroundColor = ConsoleColor.DarkGray,
                ShowEstimatedDuration = true, CollapseWhenFinished = true, DisplayTimeInRealTime = true,
            });
    }

    public void Report(int done, int total, string message, TimeSpan? remaining = null)
    {
        if (_bar is not null)
        {
            _bar.MaxTicks = Math.Max(1, total);
            if (remaining is { } eta) _bar.EstimatedDuration = eta;
            _bar.Tick(done, message);
            return;
        }
        var now = DateTime.UtcNow;
        if (now - _lastLine < TimeSpan.FromSeconds(3) && done < total) return;
        _lastLine = now;
        _log.WriteLine($"{_title}: {done}/{total} {message}");
    }

    public void Dispose() => _bar?.Dispose();
}
