using System.Text.Json.Serialization;

namespace DeviseWeb.Engine.Training;

public enum TrainingPhase { Step, Epoch }

/// <summary>Reported after every step and after every epoch (the latter with validation loss). A run trains one head.</summary>
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
    /// <summary>0–1 over the run.</summary>
    public double Fraction => Epochs * StepsPerEpoch == 0 ? 0 : ((Epoch - 1) * StepsPerEpoch + Step) / (double)(Epochs * StepsPerEpoch);
}

/// <summary>One point of the learning curve, saved with the model version.</summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record EpochMetrics(int Epoch, double TrainLoss, double? ValidationLoss, double LearningRate, double ElapsedSeconds);
