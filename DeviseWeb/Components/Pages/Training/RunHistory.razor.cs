using System.Globalization;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Training;
using DeviseWeb.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace DeviseWeb.Components.Pages.Training;

/// <summary>
/// Every model version with its settings and metrics side by side (each beside its chance level), a chart across
/// runs, and an Activate button per version: activation runs in the background while searches keep working.
/// </summary>
public sealed partial class RunHistory : IDisposable
{
    private readonly List<IDisposable> _subscriptions = [];
    private readonly BarChartOptions _chartOptions = new() { YAxisTitle = "%", YAxisFormat = "0" };
    private IReadOnlyList<ModelVersionInfo> _models = [];
    private int? _activating;
    private int? _requested;

    [Inject] private DeviseEngine Engine { get; set; } = default!;
    [Inject] private TrainingNotifier Notifier { get; set; } = default!;
    [Inject] private ModelActivationService Activation { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    private string[] RunLabels => _models.Select(m => $"v{m.Id}").ToArray();

    private List<ChartSeries<double>> RunSeries =>
    [
        new() { Name = "Zero-shot hit@5", Data = _models.Select(m => 100 * (m.Evaluation?.ZeroShotHit5?.Value ?? 0)).ToArray() },
        new() { Name = "Precision@9 seen", Data = _models.Select(m => 100 * (m.Evaluation?.SeenPrecisionAt9?.Value ?? 0)).ToArray() },
        new() { Name = "Precision@9 held-out", Data = _models.Select(m => 100 * (m.Evaluation?.HeldOutPrecisionAt9?.Value ?? 0)).ToArray() },
    ];

    protected override void OnInitialized()
    {
        Load();
        _subscriptions.Add(Notifier.Subscribe(e => e.Kind == TrainingJobEventKind.Finished
            ? InvokeAsync(() => { Load(); StateHasChanged(); })
            : Task.CompletedTask));
        _subscriptions.Add(Activation.Subscribe(e => InvokeAsync(() => OnActivation(e))));
    }

    private void Load()
    {
        _models = Engine.ListModels().OrderByDescending(m => m.Id).ToList();
        _activating = Activation.ActivatingId;
    }

    private void Activate(int modelId)
    {
        try
        {
            if (Activation.TryStart(modelId)) { _requested = modelId; _activating = modelId; }
            else Snackbar.Add($"Version {Activation.ActivatingId} is being activated; try again when it is done.", Severity.Warning);
        }
        catch (DeviseException e) { Snackbar.Add(e.Message, Severity.Error); }
    }

    private void OnActivation(ActivationEvent e)
    {
        Load();
        if (e.ModelId == _requested && e.State != ActivationState.Started)
        {
            _requested = null;
            if (e.State == ActivationState.Completed) Snackbar.Add($"Version {e.ModelId} is active: searches use it now.", Severity.Success);
            else Snackbar.Add($"Activating version {e.ModelId} failed: {e.Error}", Severity.Error);
        }
        StateHasChanged();
    }

    private static string Settings(ModelVersionInfo m) => string.Create(CultureInfo.InvariantCulture,
        $"{m.Options.Epochs} epochs · lr {m.Options.LearningRate:0.#####} · batch {m.Options.BatchSize} · {m.HeldOutLabels.Count} held out · seed {m.Options.Seed}");

    private static string Loss(double? loss) => loss is { } value ? value.ToString("0.0000", CultureInfo.InvariantCulture) : "—";

    private static string Duration(double seconds) =>
        seconds < 60 ? string.Create(CultureInfo.InvariantCulture, $"{seconds:0.0} s") : TimeSpan.FromSeconds(seconds).ToString(@"m\:ss", CultureInfo.InvariantCulture);

    public void Dispose() => _subscriptions.ForEach(s => s.Dispose());
}
