using System.Globalization;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Training;
using DeviseWeb.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace DeviseWeb.Components.Pages.Training;

/// <summary>
/// A training job live: progress with ETA, the train/validation loss curve growing one point per epoch, and
/// recent log lines. Starts from a <see cref="TrainingJobSnapshot"/> (so a reloaded page reattaches mid-run)
/// and follows the job through the <see cref="TrainingNotifier"/>; a newly started job replaces the old one.
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
    private TrainingJobState? _state;
    private TrainingProgress? _latest;
    private string? _error;

    [Inject] private TrainingNotifier Notifier { get; set; } = default!;

    /// <summary>The job to show at first (the running or latest one). Default null: nothing yet; the next started job appears live.</summary>
    [Parameter] public TrainingJobSnapshot? Job { get; set; }

    /// <summary>A finished model version whose learning curve is shown until a job runs (the active one). Default null.</summary>
    [Parameter] public ModelVersionInfo? Baseline { get; set; }

    /// <summary>Most log lines shown, newest first. Default 50.</summary>
    [Parameter] public int MaxLogLines { get; set; } = 50;

    /// <summary>Number of epoch points on the loss chart.</summary>
    public int PointCount => _epochs.Count;

    private int Percent => _state == TrainingJobState.Finished ? 100 : (int)Math.Round((_latest?.Fraction ?? 0) * 100);

    private string StateText => _state switch
    {
        TrainingJobState.Running => "Running",
        TrainingJobState.Finished => "Finished",
        TrainingJobState.Failed => "Failed",
        TrainingJobState.Cancelled => "Cancelled",
        _ => "Idle",
    };

    private Color StateColor => _state switch
    {
        TrainingJobState.Running => Color.Primary,
        TrainingJobState.Finished => Color.Success,
        TrainingJobState.Failed => Color.Error,
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
            if (_latest is not { } p) return _state == TrainingJobState.Running ? "Preparing the split and label vectors…" : StateText;
            var loss = string.Create(CultureInfo.InvariantCulture, $"train loss {p.TrainLoss:0.0000}");
            return $"Epoch {p.Epoch}/{p.Epochs} · step {p.Step}/{p.StepsPerEpoch} · {loss} · {Percent}%";
        }
    }

    private string EtaText => _state == TrainingJobState.Running && _latest?.Remaining is { } remaining
        ? $"ETA {Format(remaining)} · elapsed {Format(_latest.Elapsed)}"
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
        _subscription = Notifier.Subscribe(e => InvokeAsync(() => { Apply(e); StateHasChanged(); }));

    protected override void OnParametersSet()
    {
        if (Job is { } job && (job.Id != _jobId || job.Epochs.Count > _epochs.Count)) Load(job);
        else if (_jobId is null && Baseline is { } model && !_epochs.SequenceEqual(model.History))
        {
            _epochs.Clear();
            _epochs.AddRange(model.History);
        }
    }

    private void Load(TrainingJobSnapshot job)
    {
        _jobId = job.Id;
        _state = job.State;
        _latest = job.Latest;
        _error = job.Error;
        _epochs.Clear();
        _epochs.AddRange(job.Epochs);
        _log.Clear();
        _log.AddRange(job.Log);
    }

    /// <summary>Applies one live event; epochs already shown (from the snapshot) are not added twice.</summary>
    internal void Apply(TrainingJobEvent e)
    {
        if (e.Kind == TrainingJobEventKind.Started && e.JobId != _jobId)
        {
            _jobId = e.JobId;
            _epochs.Clear();
            _log.Clear();
            _latest = null;
            _error = null;
        }
        if (e.JobId != _jobId) return;
        if (e.Progress is { } progress) _latest = progress;
        if (e.Epoch is { } epoch && _epochs.All(x => x.Epoch != epoch.Epoch)) _epochs.Add(epoch);
        if (e.Message is { } message) _log.Add($"{e.TimeUtc:HH:mm:ss} {message}");
        _state = e.Kind switch
        {
            TrainingJobEventKind.Finished => TrainingJobState.Finished,
            TrainingJobEventKind.Failed => TrainingJobState.Failed,
            TrainingJobEventKind.Cancelled => TrainingJobState.Cancelled,
            _ => TrainingJobState.Running,
        };
        if (e.Kind == TrainingJobEventKind.Failed) _error = e.Message;
    }

    private static string Format(TimeSpan span) =>
        span.TotalHours >= 1 ? span.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : span.ToString(@"m\:ss", CultureInfo.InvariantCulture);

    public void Dispose() => _subscription?.Dispose();
}
