using DeviseWeb.Engine;
using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Cli.Verbs;

/// <summary>train, eval, models, activate.</summary>
public static class ModelVerbs
{
    public static readonly string[] TrainingOptionNames =
        ["--epochs", "--lr", "--batch", "--hidden", "--dropout", "--holdout", "--holdout-labels", "--seed", "--no-activate",
         "--mapping", "--transfer", "--hypernyms", "--coral", "--no-coral"];

    public static async Task<int> TrainAsync(CommandContext c)
    {
        var defaults = new TrainingOptions();
        var options = new TrainingOptions
        {
            Epochs = c.Cli.GetInt("--epochs", defaults.Epochs),
            LearningRate = c.Cli.GetDouble("--lr", defaults.LearningRate),
            BatchSize = c.Cli.GetInt("--batch", defaults.BatchSize),
            HiddenSize = c.Cli.GetInt("--hidden", defaults.HiddenSize),
            Dropout = c.Cli.GetDouble("--dropout", defaults.Dropout),
            HeldOutLabelCount = c.Cli.GetInt("--holdout", defaults.HeldOutLabelCount),
            HeldOutLabels = (c.Cli.Get("--holdout-labels") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Seed = c.Cli.GetInt("--seed", defaults.Seed),
            Activate = !c.Cli.Has("--no-activate"),
            Mapping = EnumOption(c, "--mapping", defaults.Mapping),
            TransferWeight = c.Cli.GetDouble("--transfer", defaults.TransferWeight),
            HypernymWeight = c.Cli.GetDouble("--hypernyms", defaults.HypernymWeight),
            AlignFeatures = c.Cli.Has("--coral") || (defaults.AlignFeatures && !c.Cli.Has("--no-coral")),
        };
        var job = await CliJobs.RunAsync(c, new JobRequest { Kind = JobKind.Training, Training = options }, "train");
        var model = job.Result?.Model ?? throw new DeviseException("Training finished without a model version.");
        if (c.Json) { c.WriteJson(model); return 0; }
        c.Output.WriteLine($"Model version {model.Id}: {model.Architecture}, {model.TrainCount} train / {model.ValidationCount} validation / {model.HeldOutCount} held-out images, {model.DurationSeconds:0.0} s{(model.IsActive ? ", active" : "")}.");
        c.Output.WriteLine($"Held-out labels: {string.Join(", ", model.HeldOutLabels)}");
        if (model.Evaluation is { } report) WriteReport(c, report);
        return 0;
    }

    /// <summary>Runs the evaluation job on a version (the active one by default): its figures are stored with it, and printed.</summary>
    public static async Task<int> EvalAsync(CommandContext c)
    {
        int? modelId = ModelOption(c);
        var job = await CliJobs.RunAsync(c, new JobRequest { Kind = JobKind.Evaluation, ModelId = modelId }, "eval");
        var report = job.Result?.Evaluation ?? throw new DeviseException("The evaluation finished without figures.");
        if (c.Json) { c.WriteJson(report); return 0; }
        var model = job.Result.Model ?? c.Get<ModelService>().Get(modelId ?? c.Get<ModelService>().ActiveModelId!.Value);
        c.Output.WriteLine($"Model version {model.Id} ({model.Architecture}), held out: {string.Join(", ", model.HeldOutLabels)}");
        WriteReport(c, report);
        return 0;
    }

    public static int Models(CommandContext c)
    {
        var models = c.Get<ModelService>().List();
        if (c.Json) { c.WriteJson(models); return 0; }
        c.Output.WriteLine($"{"id",4} {"created (UTC)",-17} {"epochs",6} {"val loss",8} {"ZS hit@5",8} {"P@9 seen",8} {"P@9 held",8} {"eval P@5",9}");
        foreach (var m in models)
        {
            var e = m.Evaluation;
            c.Output.WriteLine($"{m.Id,4} {m.CreatedUtc,-17:yyyy-MM-dd HH:mm} {m.Options.Epochs,6} {e?.ValidationLoss,8:0.000} {e?.ZeroShotHit5?.Value,8:P1} {e?.SeenPrecisionAt9?.Value,8:P1} {e?.HeldOutPrecisionAt9?.Value,8:P1} {e?.PhotoExactPrecisionAt5?.Value,9:P1}{(m.IsActive ? "  active" : "")}");
        }
        return 0;
    }

    public static async Task<int> ActivateAsync(CommandContext c)
    {
        int id = int.TryParse(c.Cli.RequirePositional(0, "a model version id"), out var n) ? n : throw new CliUsageException("'activate' expects a model version id.");
        var job = await CliJobs.RunAsync(c, new JobRequest { Kind = JobKind.Activation, ModelId = id }, $"activate model version {id}");
        var model = job.Result?.Model ?? c.Get<ModelService>().Get(id);
        if (c.Json) { c.WriteJson(model); return 0; }
        c.Output.WriteLine($"Model version {model.Id} is active; {c.Get<ModelService>().IndexedCount} images indexed.");
        return 0;
    }

    private static T EnumOption<T>(CommandContext c, string name, T fallback) where T : struct, Enum => c.Cli.Get(name) is { } v
        ? Enum.TryParse<T>(v, ignoreCase: true, out var value) && Enum.IsDefined(value) ? value
            : throw new CliUsageException($"{name} expects one of {string.Join(", ", Enum.GetNames<T>())}, got '{v}'.")
        : fallback;

    public static int? ModelOption(CommandContext c) => c.Cli.Get("--model") is null ? null : c.Cli.GetInt("--model", 0);

    private static void WriteReport(CommandContext c, EvaluationReport r)
    {
        c.Output.WriteLine($"{"metric",-34} {"value",8} {"chance",8} {"best",8} {"n",6}");
        void Row(string name, Metric? m)
        {
            if (m is not null) c.Output.WriteLine($"{name,-34} {m.Value,8:P1} {m.Chance,8:P1} {m.Best,8:P1} {m.Count,6}");
        }
        if (r.ValidationLoss is { } loss) c.Output.WriteLine($"{"validation loss (1 - cosine)",-34} {loss,8:0.000}");
        Row("zero-shot hit@1 (held-out labels)", r.ZeroShotHit1);
        Row("zero-shot hit@5 (held-out labels)", r.ZeroShotHit5);
        Row("validation hit@1 (seen labels)", r.ValidationHit1);
        Row("validation hit@5 (seen labels)", r.ValidationHit5);
        Row("precision@9, seen labels", r.SeenPrecisionAt9);
        Row("precision@9, held-out labels", r.HeldOutPrecisionAt9);
        Row("evaluation set P@5, label names", r.PhotoExactPrecisionAt5);
        Row("evaluation set P@5, broader words", r.PhotoBroaderPrecisionAt5);
        Row("evaluation set P@5, everyday words", r.EverydayPrecisionAt5);
        Row("evaluation set photo -> photo P@5", r.PhotoToPhotoPrecisionAt5);
        Row("copies of evaluation images first", r.DuplicateHit1);
        c.Output.WriteLine($"({r.ImageCount} images, {r.LabelCount} labels as candidates{(r.PhotoImageCount > 0 ? $"; evaluation set: {r.PhotoImageCount} evaluation-only images, never trained on" : "")})");
    }
}
