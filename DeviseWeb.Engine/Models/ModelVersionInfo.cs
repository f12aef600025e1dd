using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Engine.Models;

public sealed record ModelVersionInfo(
    int Id,
    DateTime CreatedUtc,
    TrainingOptions Options,
    string Architecture,
    IReadOnlyList<string> HeldOutLabels,
    int TrainCount,
    int ValidationCount,
    int HeldOutCount,
    IReadOnlyList<EpochMetrics> History,
    EvaluationReport? Evaluation,
    double DurationSeconds,
    bool IsActive);
