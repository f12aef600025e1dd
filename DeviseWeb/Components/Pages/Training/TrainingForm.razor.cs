using DeviseWeb.Engine;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Training;
using Microsoft.AspNetCore.Components;

namespace DeviseWeb.Components.Pages.Training;

/// <summary>
/// Hyperparameters and the Start / Cancel buttons. Start queues a training job: one started while another job runs
/// waits its turn, and the form says so. Options the engine refuses show its reason.
/// </summary>
public sealed partial class TrainingForm
{
    private int _epochs;
    private double _learningRate;
    private int _batchSize;
    private int _heldOut;
    private int _seed;
    private MappingKind _mapping;
    private double _transferWeight;
    private double _hypernymWeight;
    private string? _problem;
    private string? _queued;

    [Inject] private JobQueue Jobs { get; set; } = default!;

    [Inject] private DeviseWeb.Audit.UserAudit Audit { get; set; } = default!;
    [Inject] private ModelService Models { get; set; } = default!;

    /// <summary>The training job shown (running, queued or latest); Cancel is enabled while it is queued or running. Default null.</summary>
    [Parameter] public JobInfo? Job { get; set; }

    /// <summary>Called with the new job when Start queued one. Default: none.</summary>
    [Parameter] public EventCallback<JobInfo> OnStarted { get; set; }

    private bool IsActive => Job?.IsActive == true;

    /// <summary>Starts from the active model's settings (else the defaults), so a tweak is one field away.</summary>
    protected override void OnInitialized()
    {
        var options = ActiveOptions();
        _epochs = options.Epochs;
        _learningRate = options.LearningRate;
        _batchSize = options.BatchSize;
        _heldOut = options.HeldOutLabelCount;
        _seed = options.Seed;
        _mapping = options.Mapping;
        _transferWeight = options.TransferWeight;
        _hypernymWeight = options.HypernymWeight;
    }

    private TrainingOptions ActiveOptions() => Models.ActiveModelId is int id ? Models.Get(id).Options : new TrainingOptions();

    private async Task Start()
    {
        _problem = _queued = null;
        var options = ActiveOptions() with
        {
            Epochs = _epochs, LearningRate = _learningRate, BatchSize = _batchSize, HeldOutLabelCount = _heldOut, Seed = _seed,
            Mapping = _mapping, TransferWeight = _transferWeight, HypernymWeight = _hypernymWeight,
            HeldOutLabels = [], Activate = true,
        };
        JobInfo job;
        try { job = Jobs.Enqueue(new JobRequest { Kind = JobKind.Training, Training = options }); }
        catch (DeviseException e)
        {
            _problem = e.Message;
            return;
        }
        await Audit.RecordAsync("start training", $"job {job.Id}: {job.Description}");
        if (Jobs.Active is { } running && running.Id != job.Id)
            _queued = $"Queued as job {job.Id}: it starts when “{running.Description}” ({running.Id}) ends.";
        await OnStarted.InvokeAsync(job);
    }

    private void Cancel()
    {
        _problem = _queued = null;
        if (Job is not { IsActive: true } job) return;
        if (!Jobs.Cancel(job.Id)) _problem = "That job has already ended.";
        else _ = Audit.RecordAsync("cancel job", $"job {job.Id}: {job.Description}");
    }
}
