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
        var job = await CliJobs.RunAsync(c, new JobRequest { Kind = JobKind.Training, Training = TrainingOptionsOf(c) }, "train");
        CliOutput.Trained(c, job.Result?.Model ?? throw new DeviseException("Training finished without a model version."));
        return 0;
    }

    /// <summary>The training options the command line gives, the defaults for the rest.</summary>
    public static TrainingOptions TrainingOptionsOf(CommandContext c)
    {
        var defaults = new TrainingOptions();
        return new TrainingOptions
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
    }

    /// <summary>Runs the evaluation job on a version (the active one by default): its figures are stored with it, and printed.</summary>
    public static async Task<int> EvalAsync(CommandContext c)
    {
        int? modelId = ModelOption(c);
        var job = await CliJobs.RunAsync(c, new JobRequest { Kind = JobKind.Evaluation, ModelId = modelId }, "eval");
        var report = job.Result?.Evaluation ?? throw new DeviseException("The evaluation finished without figures.");
        var model = job.Result.Model ?? c.Get<ModelService>().Get(modelId ?? c.Get<ModelService>().ActiveModelId!.Value);
        CliOutput.Evaluated(c, model, report);
        return 0;
    }

    public static int Models(CommandContext c)
    {
        CliOutput.Models(c, c.Get<ModelService>().List());
        return 0;
    }

    public static async Task<int> ActivateAsync(CommandContext c)
    {
        int id = int.TryParse(c.Cli.RequirePositional(0, "a model version id"), out var n) ? n : throw new CliUsageException("'activate' expects a model version id.");
        var job = await CliJobs.RunAsync(c, new JobRequest { Kind = JobKind.Activation, ModelId = id }, $"activate model version {id}");
        CliOutput.Activated(c, job.Result?.Model ?? c.Get<ModelService>().Get(id), c.Get<ModelService>().IndexedCount);
        return 0;
    }

    private static T EnumOption<T>(CommandContext c, string name, T fallback) where T : struct, Enum => c.Cli.Get(name) is { } v
        ? Enum.TryParse<T>(v, ignoreCase: true, out var value) && Enum.IsDefined(value) ? value
            : throw new CliUsageException($"{name} expects one of {string.Join(", ", Enum.GetNames<T>())}, got '{v}'.")
        : fallback;

    public static int? ModelOption(CommandContext c) => c.Cli.Get("--model") is null ? null : c.Cli.GetInt("--model", 0);
}
