using DeviseWeb.Engine;
using DeviseWeb.Engine.Training;
using Microsoft.AspNetCore.Components;

namespace DeviseWeb.Components.Pages.Training;

/// <summary>Hyperparameters and the Start / Cancel buttons. One job at a time: a second Start shows why it cannot run.</summary>
public sealed partial class TrainingForm
{
    private int _epochs;
    private double _learningRate;
    private int _batchSize;
    private int _heldOut;
    private int _seed;
    private string? _problem;

    [Inject] private TrainingJobRunner Runner { get; set; } = default!;
    [Inject] private DeviseEngine Engine { get; set; } = default!;

    /// <summary>The running or latest job; Cancel is enabled while it runs. Default null.</summary>
    [Parameter] public TrainingJobSnapshot? Job { get; set; }

    /// <summary>Called with the new job when Start succeeds. Default: none.</summary>
    [Parameter] public EventCallback<TrainingJobSnapshot> OnStarted { get; set; }

    private bool IsRunning => Job?.State == TrainingJobState.Running;

    /// <summary>Starts from the active model's settings (else the defaults), so a tweak is one field away.</summary>
    protected override void OnInitialized()
    {
        var options = Engine.ActiveModel?.Record.Options ?? new TrainingOptions();
        _epochs = options.Epochs;
        _learningRate = options.LearningRate;
        _batchSize = options.BatchSize;
        _heldOut = options.HeldOutLabelCount;
        _seed = options.Seed;
    }

    private async Task Start()
    {
        _problem = null;
        var baseline = Engine.ActiveModel?.Record.Options ?? new TrainingOptions();
        var options = baseline with
        {
            Epochs = _epochs, LearningRate = _learningRate, BatchSize = _batchSize, HeldOutLabelCount = _heldOut, Seed = _seed,
            HeldOutLabels = [], Activate = true,
        };
        TrainingJobSnapshot job;
        try { job = Runner.Start(options); }
        catch (TrainingBusyException e) { _problem = e.Message; return; }
        catch (ArgumentException e) { _problem = e.Message; return; }
        await OnStarted.InvokeAsync(job);
    }

    private void Cancel()
    {
        _problem = null;
        if (Job is { State: TrainingJobState.Running } job && !Runner.Cancel(job.Id)) _problem = "That job has already ended.";
    }
}
