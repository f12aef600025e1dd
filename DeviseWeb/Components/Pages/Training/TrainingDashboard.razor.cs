using System.Globalization;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Training;
using DeviseWeb.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace DeviseWeb.Components.Pages.Training;

/// <summary>
/// A training job live: progress with ETA, the train/validation loss curve growing one point per epoch, and
/// recent log lines. Starts from a <see cref="JobInfo"/> (so a reloaded page reattaches mid-run with the curve and
/// log so far) and follows training jobs through the <see cref="JobNotifier"/>; a job that starts, or one queued
/// while nothing runs, replaces the one shown.
/// </summary>
public sealed partial class TrainingDashboard : IDisposable
{
    private readonly List<EpochMetrics> _epochs = [];
    private readonly List<string> _log = [];
    // MudChart's y-axis ticks are whole numbers apart, so the curve is drawn in thousandths of a loss unit and the
    // axis labels divide back: a loss of 0.3125 is plotted at 312.5 and labelled "0.31".
    private const double LossScale = 1000;
    private IDisposable? _subscription;
    private string? _jobId;
    private JobState? _state;
    private TrainingProgress? _latest;
    private string? _error;

    [Inject] private JobNotifier Notifier { get; set; } = default!;

    /// <summary>The training job to show at first (the running or latest one). Default null: nothing yet; the next job appears live.</summary>
    [Parameter] public JobInfo? Job { get; set; }

    /// <summary>A finished model version whose learning curve is shown until a job runs (the active one). Default null.</summary>
    [Parameter] public ModelVersionInfo? Baseline { get; set; }

    /// <summary>Most log lines shown, newest first. Default 50.</summary>
    [Parameter] public int MaxLogLines { get; set; } = 50;

    /// <summary>Number of epoch points on the loss chart.</summary>
    public int PointCount => _epochs.Count;

    private bool IsActive => _state is JobState.Queued or JobState.Running;

    private int Percent => _state == JobState.Finished ? 100 : (int)Math.Round((_latest?.Fraction ?? 0) * 100);

    private string StateText => _state?.ToString() ?? "Idle";

    private Color StateColor => _state switch
    {
        JobState.Running => Color.Primary,
        JobState.Finished => Color.Success,
        JobState.Failed => Color.Error,
        JobState.Queued => Color.Info,
        _ => Color.Default,
    };

    private string StatusText
    {
        get
        {
            if (_jobId is null)
                return Baseline is { } model
                    ? $"Idle — showing the learning curve of the active model, v{model.Id}. Start a run to watch it live."
                    : "Idle — start a run to watch it here.";
            if (_state == JobState.Queued) return "Queued — it starts when the job running now ends.";
            if (_latest is not { } p) return _state == JobState.Running ? "Preparing the split…" : StateText;
            if (p.Phase == TrainingPhase.Pass && p.PassProgress is { } pass)
            {
                var counts = pass is { Done: { } done, Total: > 1 and var total }
                    ? string.Create(CultureInfo.InvariantCulture, $" · {done:N0} / {total:N0}") : "";
                return $"{pass.Name} · pass {pass.Number}/{pass.Count}{counts} · {Percent}%";
            }
            var loss = string.Create(CultureInfo.InvariantCulture, $"train loss {p.TrainLoss:0.0000}");
            var place = p.PassProgress is { } epochs ? $" · pass {epochs.Number}/{epochs.Count}" : "";
            return $"Epoch {p.Epoch}/{p.Epochs} · step {p.Step}/{p.StepsPerEpoch} · {loss}{place} · {Percent}%";
        }
    }

    /// <summary>The pass the run is in, by name ("Label transfer"); empty before the first or for a run that reports none.</summary>
    private string PassText => _state == JobState.Running && _latest?.PassProgress is { } pass ? pass.Name : "";

    private string EtaText => _state == JobState.Running && _latest?.Remaining is { } remaining
        ? $"ETA {Format(remaining)}" + (_latest.PassProgress is { Remaining: { } left, Fraction: < 1 } pass ? $" ({pass.Name.ToLowerInvariant()}: {Format(left)})" : "")
          + $" · elapsed {Format(_latest.Elapsed)}"
        : _latest is { } p ? $"took {Format(p.Elapsed)}" : "";

    private List<ChartSeries<double>> LossSeries =>
    [
        new() { Name = "Train loss", Data = _epochs.Select(e => e.TrainLoss * LossScale).ToArray() },
        new() { Name = "Validation loss", Data = _epochs.Select(e => e.ValidationLoss * LossScale).ToArray() },
    ];

    private LineChartOptions ChartOptions
    {
        get
        {
            var values = _epochs.SelectMany(e => new[] { e.TrainLoss, e.ValidationLoss ?? e.TrainLoss }).DefaultIfEmpty(1).ToList();
            double range = Math.Max(values.Max(), 1e-3) * LossScale;
            return new LineChartOptions
            {
                YAxisTitle = "loss", ShowDataMarkers = _epochs.Count <= 60, LineStrokeWidth = 2.5, ShowToolTips = false,
                YAxisRequireZeroPoint = true, YAxisTicks = NiceStep(range / 5), MaxNumYAxisTicks = 8,
                YAxisToStringFunc = v => (v / LossScale).ToString(range >= LossScale ? "0.0" : "0.00", CultureInfo.InvariantCulture),
            };
        }
    }

    /// <summary>A round tick spacing (1, 2 or 5 times a power of ten, at least 1) near the given one.</summary>
    internal static int NiceStep(double rough)
    {
        if (rough <= 1) return 1;
        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double fraction = rough / power;
        double nice = fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10;
        return (int)Math.Max(1, nice * power);
    }

    private string[] EpochLabels
    {
        get
        {
            int step = Math.Max(1, (int)Math.Ceiling(_epochs.Count / 15.0));
            return _epochs.Select((e, i) => i % step == 0 || i == _epochs.Count - 1 ? e.Epoch.ToString(CultureInfo.InvariantCulture) : "").ToArray();
        }
    }

    protected override void OnInitialized() =>
        _subscription = Notifier.Subscribe(e => e.Kind == JobKind.Training ? InvokeAsync(() => { Apply(e); StateHasChanged(); }) : Task.CompletedTask);

    protected override void OnParametersSet()
    {
        if (Job is { } job && (job.Id != _jobId || job.Epochs.Count > _epochs.Count)) Load(job);
        else if (_jobId is null && Baseline is { } model && !_epochs.SequenceEqual(model.History))
        {
            _epochs.Clear();
            _epochs.AddRange(model.History);
        }
    }

    private void Load(JobInfo job)
    {
        _jobId = job.Id;
        _state = job.State;
        _latest = job.Training;
        _error = job.Error;
        _epochs.Clear();
        _epochs.AddRange(job.Epochs);
        _log.Clear();
        _log.AddRange(job.Log);
    }

    /// <summary>Applies one live event of a training job; epochs already shown (from the snapshot) are not added twice.</summary>
    internal void Apply(JobEvent e)
    {
        if (e.Kind != JobKind.Training) return;
        bool replaces = e.JobId != _jobId && (e.Type == JobEventType.Started || (e.Type == JobEventType.Queued && !IsActive));
        if (replaces)
        {
            _jobId = e.JobId;
            _epochs.Clear();
            _log.Clear();
            _latest = null;
            _error = null;
        }
        if (e.JobId != _jobId) return;
        if (e.Training is { } training) _latest = training;
        if (e.Epoch is { } epoch && _epochs.All(x => x.Epoch != epoch.Epoch)) _epochs.Add(epoch);
        if (e.Message is { } message) _log.Add($"{e.TimeUtc:HH:mm:ss} {message}");
        _state = e.Job?.State ?? JobState.Running;
        if (e.Type == JobEventType.Failed) _error = e.Job?.Error ?? e.Message;
    }

    private static string Format(TimeSpan span) =>
        span.TotalHours >= 1 ? span.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : span.ToString(@"m\:ss", CultureInfo.InvariantCulture);

    public void Dispose() => _subscription?.Dispose();
}
