using DeviseWeb.Engine;
using DeviseWeb.Engine.Training;
using Microsoft.Extensions.Options;

namespace DeviseWeb.Services;

/// <summary>
/// Makes a fresh install useful without a command line: when the gallery is empty and the seed folder exists,
/// imports it, trains a first model through the <see cref="TrainingJobRunner"/> (so /training shows it live),
/// then embeds the keyword vocabulary once (cached on disk afterwards). Off with Devise:FirstStart=false.
/// </summary>
public sealed class FirstStartService(
    DeviseEngine engine,
    TrainingJobRunner runner,
    FirstStartState state,
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
            await WarmVocabularyAsync(stoppingToken);
            state.Report(new FirstStartStatus(FirstStartStage.Done, Message: "Ready"));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            logger.LogInformation("First start stopped with the app");
        }
        catch (Exception e)
        {
            logger.LogError(e, "First start failed; the app keeps running");
            state.Report(new FirstStartStatus(FirstStartStage.Failed, Message: e.Message));
        }
    }

    /// <summary>True when it imported the seed folder into an empty gallery.</summary>
    private async Task<bool> ImportSeedAsync(CancellationToken cancellationToken)
    {
        var status = engine.GetStatus();
        if (status.ImageCount > 0)
        {
            logger.LogInformation("Gallery holds {Count} images; no seed import", status.ImageCount);
            return false;
        }
        var seed = options.Value.ResolveSeedDirectory();
        if (seed is null)
        {
            logger.LogInformation("Gallery is empty and no seed folder was found at {Seed}; upload images or run 'DeviseWeb import'", options.Value.SeedDirectory);
            return false;
        }
        logger.LogInformation("Gallery is empty: importing the seed folder {Seed}", seed);
        state.Report(new FirstStartStatus(FirstStartStage.Importing, Message: seed));
        var progress = new SynchronousProgress<ImportProgress>(p =>
            state.Report(new FirstStartStatus(FirstStartStage.Importing, p.Done, p.Total, p.CurrentFile)));
        var summary = await engine.ImportFolderAsync(seed, progress, cancellationToken);
        logger.LogInformation("Imported {Added} images ({Duplicates} duplicates, {Rejected} rejected) in {Seconds:0.0} s",
            summary.Added, summary.Duplicates, summary.Rejected, summary.Elapsed.TotalSeconds);
        foreach (var rejected in summary.Rejections) logger.LogWarning("Rejected {File}: {Reason}", rejected.FileName, rejected.Reason);
        return summary.Added > 0;
    }

    private async Task TrainFirstModelAsync(CancellationToken cancellationToken)
    {
        if (engine.ActiveModel is not null) return;
        state.Report(new FirstStartStatus(FirstStartStage.Training, Message: "Training a first model"));
        // The defaults hold out 10 labels for zero-shot evaluation; a small seed folder keeps most of its labels for training.
        int labels = engine.GetDatasetSummary().Labels.Count;
        var training = new TrainingOptions { HeldOutLabelCount = Math.Min(new TrainingOptions().HeldOutLabelCount, labels / 4) };
        TrainingJobSnapshot job;
        try { job = runner.Start(training); }
        catch (TrainingBusyException e)
        {
            logger.LogInformation("A training job ({JobId}) is already running; first start waits for it", e.RunningJobId);
            await runner.WaitAsync(e.RunningJobId).WaitAsync(cancellationToken);
            return;
        }
        logger.LogInformation("Training a first model (job {JobId}); watch it on /training", job.Id);
        using var stop = cancellationToken.Register(() => runner.Cancel(job.Id));
        await runner.WaitAsync(job.Id).WaitAsync(cancellationToken);
        var done = runner.Get(job.Id);
        if (done?.State == TrainingJobState.Failed) logger.LogWarning("First training job {JobId} failed: {Error}", job.Id, done.Error);
        else logger.LogInformation("First training job {JobId} ended: {State}, model version {ModelId}", job.Id, done?.State, done?.ModelId);
    }

    private async Task WarmVocabularyAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("Preparing the keyword vocabulary (the first time embeds every WordNet noun: a few minutes; cached after)");
        state.Report(new FirstStartStatus(FirstStartStage.WarmingVocabulary, Message: "Preparing the keyword vocabulary"));
        int lastLogged = -1;
        var progress = new SynchronousProgress<(int Done, int Total)>(p =>
        {
            state.Report(new FirstStartStatus(FirstStartStage.WarmingVocabulary, p.Done, p.Total, "Preparing the keyword vocabulary"));
            int tenth = p.Total == 0 ? 10 : p.Done * 10 / p.Total;
            if (tenth == lastLogged) return;
            lastLogged = tenth;
            logger.LogInformation("Keyword vocabulary: {Done:N0}/{Total:N0} words", p.Done, p.Total);
        });
        await engine.EnsureVocabularyAsync(progress, cancellationToken);
        logger.LogInformation("Keyword vocabulary ready: {Count:N0} words", engine.GetStatus().VocabularySize);
    }
}
