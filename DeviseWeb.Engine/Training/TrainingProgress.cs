using System.Text.Json.Serialization;

namespace DeviseWeb.Engine.Training;

/// <summary>What a <see cref="TrainingProgress"/> reports: a training step, an epoch's end (with validation loss), or progress in another pass.</summary>
public enum TrainingPhase { Step, Epoch, Pass }

/// <summary>
/// The passes of a training run, in the order they run (<see cref="TrainingPlan"/>); a run leaves out those its options
/// turn off (CORAL, label transfer, activation).
/// </summary>
public enum TrainingPass { Reading, Targets, Alignment, Epochs, Embedding, LabelTransfer, Evaluation, WritingVectors, Activation }

/// <summary>
/// Reported after every step and after every epoch (the latter with validation loss), and through every other pass of
/// the run (<see cref="PassProgress"/>), where the epoch fields keep the last epoch's values. A run trains one head.
/// <see cref="Elapsed"/> and <see cref="Remaining"/> are the whole run's.
/// </summary>
// NaN (a diverged run saved before training refused one) is written as "NaN" rather than failing the whole response.
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record TrainingProgress(
    TrainingPhase Phase,
    int Epoch,
    int Epochs,
    int Step,
    int StepsPerEpoch,
    double TrainLoss,
    double? ValidationLoss,
    double LearningRate,
    TimeSpan Elapsed,
    TimeSpan? Remaining)
{
    /// <summary>0–1 over the run: over all its passes when it reports them (<see cref="PassProgress"/>), else over its epochs.</summary>
    public double Fraction { get; init; } = Epochs * StepsPerEpoch == 0 ? 0 : ((Epoch - 1) * StepsPerEpoch + Step) / (double)(Epochs * StepsPerEpoch);

    /// <summary>
    /// The pass this report comes from, with its own fraction, counts and time left; null from a head trained alone.
    /// Not named "pass": job records of an older release stored a number under that name.
    /// </summary>
    public Jobs.JobPhase? PassProgress { get; init; }
}

/// <summary>One point of the learning curve, saved with the model version.</summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record EpochMetrics(int Epoch, double TrainLoss, double? ValidationLoss, double LearningRate, double ElapsedSeconds);
