using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Training;
using static TorchSharp.torch;

namespace DeviseWeb.Engine.Models;

/// <summary>
/// A model whose weights, embeddings or metrics hold NaN or infinity must never become the one searches use: it
/// ranks nothing, and its figures cannot even be written as JSON. Training fails instead, and so does activating a
/// stored version that somehow holds one.
/// </summary>
public static class FiniteModelCheck
{
    /// <summary>What is not finite in a freshly trained head and the gallery embedded by it, or null when everything is.</summary>
    internal static string? Problem(DeviseHead head, float[][] embeddings)
    {
        if (!WeightsFinite(head)) return "its weights";
        return embeddings.Any(row => !row.All(float.IsFinite)) ? "its gallery embeddings" : null;
    }

    /// <summary>Fails the training run, naming what diverged, before anything is saved or activated.</summary>
    internal static void ThrowIfDiverged(string? problem)
    {
        if (problem is not null)
            throw new InvalidInputException($"Training diverged: {problem} came out NaN or infinite, so this model was not saved or activated. "
                + "Try a lower LearningRate.");
    }

    /// <summary>What is not finite in a stored version's learning curve or evaluation, or null when everything is.</summary>
    public static string? Problem(IReadOnlyList<EpochMetrics> history, EvaluationReport? evaluation)
    {
        if (history.Any(e => !double.IsFinite(e.TrainLoss) || e.ValidationLoss is { } v && !double.IsFinite(v)))
            return "its training or validation loss";
        if (evaluation is null) return null;
        if (evaluation.ValidationLoss is { } loss && !double.IsFinite(loss)) return "its validation loss";
        Metric?[] metrics = [evaluation.ZeroShotHit1, evaluation.ZeroShotHit5, evaluation.ValidationHit1, evaluation.ValidationHit5,
            evaluation.SeenPrecisionAt9, evaluation.HeldOutPrecisionAt9, evaluation.PhotoExactPrecisionAt5, evaluation.PhotoBroaderPrecisionAt5];
        return metrics.Any(m => m is not null && !(double.IsFinite(m.Value) && double.IsFinite(m.Chance) && double.IsFinite(m.Best)))
            ? "its evaluation metrics" : null;
    }

    /// <summary>Refuses to activate a stored version whose figures are not finite (one saved before this check existed).</summary>
    public static void ThrowIfNotActivatable(int modelId, IReadOnlyList<EpochMetrics> history, EvaluationReport? evaluation)
    {
        if (Problem(history, evaluation) is { } problem)
            throw new ConflictException($"Model version {modelId} cannot be activated: {problem} came out NaN or infinite in training, so it would rank nothing. Train a new version.");
    }

    private static bool WeightsFinite(DeviseHead head)
    {
        using var scope = NewDisposeScope();
        return head.parameters().All(p => isfinite(p).all().item<bool>());
    }
}
