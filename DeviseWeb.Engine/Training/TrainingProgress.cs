using System.Text.Json.Serialization;

namespace DeviseWeb.Engine.Training;

public enum TrainingPhase { Step, Epoch }

/// <summary>
/// Reported after every step and after every epoch (the latter with validation loss). A run with the photo-transfer
/// evaluation (or self-training) trains more than one head: <see cref="Pass"/> of <see cref="Passes"/> numbers them, and
/// the photo evaluation's head, trained without the photographs, is marked <see cref="PhotoEvaluation"/>: its epochs
/// are not the model's learning curve.
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
    TimeSpan? Remaining,
    int Pass = 1,
    int Passes = 1,
    bool PhotoEvaluation = false)
{
    /// <summary>0–1 within this pass.</summary>
    public double PassFraction => Epochs * StepsPerEpoch == 0 ? 0 : ((Epoch - 1) * StepsPerEpoch + Step) / (double)(Epochs * StepsPerEpoch);

    /// <summary>0–1 over the whole run, every pass counted as the same amount of work.</summary>
    public double Fraction => Passes <= 1 ? PassFraction : (Pass - 1 + PassFraction) / Passes;
}

/// <summary>One point of the learning curve, saved with the model version.</summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record EpochMetrics(int Epoch, double TrainLoss, double? ValidationLoss, double LearningRate, double ElapsedSeconds);
