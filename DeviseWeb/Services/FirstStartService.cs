using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Training;
using Microsoft.Extensions.Options;

namespace DeviseWeb.Services;

/// <summary>
/// Makes a fresh install useful without a command line: when the gallery is empty and the seed folder exists,
/// queues an import of it, then a first training run, then the keyword vocabulary (embedded once, cached on disk
/// afterwards), waiting for each. They are ordinary jobs, so the gallery banner, the status badge and /training
/// show them live. Off with Devise:FirstStart=false.
/// </summary>
public sealed class FirstStartService(
    JobQueue jobs,
    GalleryService gallery,
    ModelService models,
    IOptions<DeviseWebOptions> options,
    ILogger<FirstStartService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.FirstStart)
        {
            logger.LogInformation("First start is off (Devise:FirstStart=false)");
            return;
        }
        await Task.Yield();
        try
        {
            if (await ImportSeedAsync(stoppingToken)) await TrainFirstModelAsync(stoppingToken);
            logger.LogInformation("Preparing the keyword vocabulary (the first time embeds every WordNet noun: a few minutes; cached after)");
            await RunAsync(new JobRequest { Kind = JobKind.Vocabulary }, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            logger.LogInformation("First start stopped with the app");
        }
        catch (Exception e)
        {
            // A background service that throws stops the host; a broken seed folder must not take the app down.
            logger.LogError(e, "First start failed; the app keeps running");
        }
    }

    /// <summary>True when it imported images from the seed folder into an empty gallery.</summary>
    private async Task<bool> ImportSeedAsync(CancellationToken cancellationToken)
    {
        if (gallery.Count > 0)
        {
            logger.LogInformation("Gallery holds {Count} images; no seed import", gallery.Count);
            return false;
        }
        var seed = options.Value.ResolveSeedDirectory();
        if (seed is null)
        {
            logger.LogInformation("Gallery is empty and no seed folder was found at {Seed}; upload images or run 'DeviseWeb import'", options.Value.SeedDirectory);
            return false;
        }
        var job = await RunAsync(new JobRequest { Kind = JobKind.Import, Import = new ImportJobOptions(seed) }, cancellationToken);
        return job.Result?.Import?.Added > 0;
    }

    private async Task TrainFirstModelAsync(CancellationToken cancellationToken)
    {
        if (models.ActiveModelId is not null) return;
        // The defaults hold out 10 labels for zero-shot evaluation; a small seed folder keeps most of its labels for training.
        int labels = gallery.Summary().Labels.Count;
        var training = new TrainingOptions { HeldOutLabelCount = Math.Min(new TrainingOptions().HeldOutLabelCount, labels / 4) };
        await RunAsync(new JobRequest { Kind = JobKind.Training, Training = training }, cancellationToken);
    }

    private async Task<JobInfo> RunAsync(JobRequest request, CancellationToken cancellationToken)
    {
        var job = jobs.Enqueue(request);
        logger.LogInformation("First start: {Description} (job {JobId}); watch it on /training", job.Description, job.Id);
        var done = await jobs.WaitAsync(job.Id, cancellationToken);
        if (done.State == JobState.Finished) logger.LogInformation("First start: {Line}", done.Log.LastOrDefault());
        else logger.LogWarning("First start job {JobId} ({Description}) ended {State}: {Error}", done.Id, done.Description, done.State, done.Error);
        return done;
    }
}
