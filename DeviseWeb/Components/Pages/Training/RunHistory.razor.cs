using System.Globalization;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace DeviseWeb.Components.Pages.Training;

/// <summary>
/// Every model version with its settings and metrics side by side (each beside its chance level), a chart across
/// runs, and per version an Activate button (it queues an activation job, whose progress shows here while searches
/// keep working on the current version) and an Evaluate button (an evaluation job; the row shows its new figures).
/// </summary>
public sealed partial class RunHistory : IDisposable
{
    private readonly BarChartOptions _chartOptions = new() { YAxisTitle = "%", YAxisFormat = "0" };
    // Versions this page asked to activate (noted before the job is queued, so its end is never missed): reported in a snackbar.
    private readonly HashSet<int> _requested = [];
    // Versions with an evaluation job this page queued and not yet ended.
    private readonly HashSet<int> _evaluating = [];
    private IDisposable? _subscription;
    private IReadOnlyList<ModelVersionInfo> _models = [];
    private JobInfo? _activation;
    private JobProgress? _activationProgress;

    [Inject] private ModelService Models { get; set; } = default!;

    [Inject] private DeviseWeb.Audit.UserAudit Audit { get; set; } = default!;
    [Inject] private JobQueue Jobs { get; set; } = default!;
    [Inject] private JobNotifier Notifier { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    private string[] RunLabels => _models.Select(m => $"v{m.Id}").ToArray();

    private string ActivationText => _activation is { } job
        ? $"{(job.State == JobState.Queued ? "Waiting to activate" : "Activating")} v{job.Request.ModelId}" +
          (_activationProgress is { } p ? $" {ActivationPercent:0}%" + (p.Phase is { } phase ? $" · {phase.Name.ToLowerInvariant()}" : "") : "")
        : "";

    private double ActivationPercent => (_activationProgress?.Fraction ?? 0) * 100;

    private List<ChartSeries<double>> RunSeries =>
    [
        new() { Name = "Zero-shot hit@5", Data = _models.Select(m => 100 * (m.Evaluation?.ZeroShotHit5?.Value ?? 0)).ToArray() },
        new() { Name = "Precision@9 seen", Data = _models.Select(m => 100 * (m.Evaluation?.SeenPrecisionAt9?.Value ?? 0)).ToArray() },
        new() { Name = "Precision@9 held-out", Data = _models.Select(m => 100 * (m.Evaluation?.HeldOutPrecisionAt9?.Value ?? 0)).ToArray() },
        new() { Name = "Evaluation P@5 names", Data = _models.Select(m => 100 * (m.Evaluation?.PhotoExactPrecisionAt5?.Value ?? 0)).ToArray() },
        new() { Name = "Evaluation P@5 everyday", Data = _models.Select(m => 100 * (m.Evaluation?.EverydayPrecisionAt5?.Value ?? 0)).ToArray() },
        new() { Name = "Photo → photo P@5", Data = _models.Select(m => 100 * (m.Evaluation?.PhotoToPhotoPrecisionAt5?.Value ?? 0)).ToArray() },
    ];

    protected override void OnInitialized()
    {
        Load();
        _subscription = Notifier.Subscribe(e => e.Kind == JobKind.Activation || (e.Kind is JobKind.Training or JobKind.Evaluation && e.Job is { IsActive: false })
            ? InvokeAsync(() => { Apply(e); StateHasChanged(); })
            : Task.CompletedTask);
    }

    private void Load()
    {
        LoadModels();
        _activation = Jobs.Latest(JobKind.Activation) is { IsActive: true } job ? job : null;
        _activationProgress = _activation?.Progress;
    }

    private void LoadModels() => _models = Models.List().OrderByDescending(m => m.Id).ToList();

    /// <summary>
    /// Follows activation jobs from their own events (queued, started, progress, ended), so what is shown never
    /// depends on when a click and an event happen to interleave; a finished training run adds a version.
    /// </summary>
    internal void Apply(JobEvent e)
    {
        if (e.Kind is JobKind.Training or JobKind.Evaluation)
        {
            LoadModels();
            if (e.Kind == JobKind.Evaluation && e.Job?.Request.ModelId is int evaluated && _evaluating.Remove(evaluated))
                Snackbar.Add(e.Job.State == JobState.Finished ? $"Version {evaluated} evaluated: its row shows the new figures."
                    : $"Evaluating version {evaluated} {e.Job.State.ToString().ToLowerInvariant()}: {e.Job.Error}",
                    e.Job.State == JobState.Finished ? Severity.Success : Severity.Error);
            return;
        }
        if (e.Job is not { } job)
        {
            if (e.JobId == _activation?.Id && e.Progress is { } progress) _activationProgress = progress;
            return;
        }
        if (job.IsActive)
        {
            if (_activation is null || _activation.Id == job.Id) (_activation, _activationProgress) = (job, job.Progress);
            return;
        }
        if (_activation?.Id == job.Id) (_activation, _activationProgress) = (null, null);
        LoadModels();
        if (job.Request.ModelId is not int modelId || !_requested.Remove(modelId)) return;
        if (job.State == JobState.Finished) Snackbar.Add($"Version {job.Request.ModelId} is active: searches use it now.", Severity.Success);
        else Snackbar.Add($"Activating version {job.Request.ModelId} {job.State.ToString().ToLowerInvariant()}: {job.Error}", Severity.Error);
    }

    private void Activate(int modelId)
    {
        _requested.Add(modelId);
        try
        {
            var job = Jobs.Enqueue(new JobRequest { Kind = JobKind.Activation, ModelId = modelId });
            _ = Audit.RecordAsync("activate model", $"version {modelId}, job {job.Id}");
        }
        catch (DeviseException e)
        {
            _requested.Remove(modelId);
            Snackbar.Add(e.Message, Severity.Error);
        }
    }

    private void Evaluate(int modelId)
    {
        try
        {
            var job = Jobs.Enqueue(new JobRequest { Kind = JobKind.Evaluation, ModelId = modelId });
            _evaluating.Add(modelId);
            _ = Audit.RecordAsync("evaluate model", $"version {modelId}, job {job.Id}");
        }
        catch (DeviseException e) { Snackbar.Add(e.Message, Severity.Error); }
    }

    private static string Settings(ModelVersionInfo m) => string.Create(CultureInfo.InvariantCulture,
        $"{m.Options.Epochs} epochs · lr {m.Options.LearningRate:0.#####} · batch {m.Options.BatchSize} · {m.HeldOutLabels.Count} held out · seed {m.Options.Seed}{Method(m.Options)}");

    /// <summary>The mapping and the methods a run used, when any differ from plain DeViSE, in the pipeline's order.</summary>
    internal static string Method(Engine.Training.TrainingOptions o)
    {
        var parts = new List<string>();
        bool conse = o.Mapping == Engine.Training.MappingKind.ConSE;
        if (conse) parts.Add($"ConSE top {Engine.Training.Methods.ConseMapping.Top}");
        if (!conse && o.HypernymWeight > 0) parts.Add(string.Create(CultureInfo.InvariantCulture, $"hypernyms {o.HypernymWeight:0.##}"));
        if (o.AlignFeatures) parts.Add("CORAL");
        if (o.TransferWeight > 0) parts.Add(string.Create(CultureInfo.InvariantCulture, $"label transfer {o.TransferWeight:0.##}"));
        return parts.Count == 0 ? "" : " · " + string.Join(" · ", parts);
    }

    private static string Loss(double? loss) => loss is { } value ? value.ToString("0.0000", CultureInfo.InvariantCulture) : "—";

    private static string Duration(double seconds) =>
        seconds < 60 ? string.Create(CultureInfo.InvariantCulture, $"{seconds:0.0} s") : TimeSpan.FromSeconds(seconds).ToString(@"m\:ss", CultureInfo.InvariantCulture);

    public void Dispose() => _subscription?.Dispose();
}
