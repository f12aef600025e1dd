using TorchSharp;
using System.Diagnostics;
using static TorchSharp.torch;

namespace DeviseWeb.Engine.Training;

/// <summary>
/// Features and targets of one split, as rows: DeViSE's text vectors, or with <see cref="Classes"/> ConSE's label
/// indices (among <see cref="ClassCount"/> training labels).
/// </summary>
public sealed record TrainingSet(float[][] Features, float[][] Targets, long[]? Classes = null, int ClassCount = 0)
{
    public int Count => Features.Length;

    /// <summary>Augmented views of each row as [view][row], or null: each epoch a row uses its features or one of its views.</summary>
    public float[][][]? Views { get; init; }
}

/// <summary>
/// Trains a <see cref="DeviseHead"/> on cached features with loss 1 − mean cosine similarity (DeViSE) or cross-entropy
/// over the training labels (ConSE), AdamW and a one-cycle schedule. Deterministic for a seed on CPU.
/// </summary>
public sealed class HeadTrainer(Device device)
{
    public (DeviseHead Head, List<EpochMetrics> History) Train(
        TrainingSet train, TrainingSet validation, TrainingOptions options,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        if (train.Count == 0) throw new InvalidOperationException("No training images.");
        random.manual_seed(options.Seed);
        bool classify = train.Classes is not null;
        int inputSize = train.Features[0].Length, outputSize = classify ? train.ClassCount : train.Targets[0].Length;
        var head = new DeviseHead(inputSize, options.HiddenSize, outputSize, options.Dropout);
        try
        {
            head.to(device);
            return (head, Fit(head, train, validation, options, classify, progress, cancellationToken));
        }
        catch
        {
            // The weights live in native memory that the finalizer frees only whenever it runs: a cancelled or
            // failed run hands them back now. On success the caller owns the head.
            head.Dispose();
            throw;
        }
    }

    /// <summary>The training loop; every tensor and the optimizer it makes are disposed before it returns or throws.</summary>
    private List<EpochMetrics> Fit(DeviseHead head, TrainingSet train, TrainingSet validation, TrainingOptions options, bool classify,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var history = new List<EpochMetrics>();

        using var trainX = ToTensor(train.Features);
        // Original and views stacked as [(views + 1) · N, D]: row v · N + i is row i's version v (0 = original).
        using var versions = train.Views is { Length: > 0 } views ? ToTensor([.. train.Features, .. views.SelectMany(v => v)]) : null;
        int versionCount = (train.Views?.Length ?? 0) + 1;
        using var trainY = classify ? OnDevice(tensor(train.Classes!)) : ToTensor(train.Targets);
        using var validX = validation.Count > 0 ? ToTensor(validation.Features) : null;
        using var validY = validation.Count > 0 ? (classify ? OnDevice(tensor(validation.Classes!)) : ToTensor(validation.Targets)) : null;
        Func<Tensor, Tensor, Tensor> lossOf = classify ? (output, target) => nn.functional.cross_entropy(output, target) : CosineLoss;
        int steps = (train.Count + options.BatchSize - 1) / options.BatchSize;
        using var optimizer = optim.AdamW(head.parameters(), lr: options.LearningRate, weight_decay: options.WeightDecay);
        var schedule = optim.lr_scheduler.OneCycleLR(optimizer, options.LearningRate, total_steps: steps * options.Epochs);
        using var shuffler = new Generator((ulong)options.Seed, device);
        var clock = Stopwatch.StartNew();

        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            head.train();
            using var order = randperm(train.Count, generator: shuffler, device: device);
            using var epochX = versions is null ? null : PickVersions(versions, versionCount, train.Count, shuffler);
            var inputs = epochX ?? trainX;
            double lossSum = 0;
            for (int step = 1; step <= steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var index = order.narrow(0, (step - 1) * options.BatchSize, Math.Min(options.BatchSize, train.Count - (step - 1) * options.BatchSize));
                var loss = lossOf(head.forward(inputs.index_select(0, index)), trainY.index_select(0, index));
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                double learningRate = optimizer.ParamGroups.First().LearningRate;
                schedule.step();
                double lossValue = loss.item<float>();
                lossSum += lossValue;
                if (progress is not null)
                    progress.Report(Progress(TrainingPhase.Step, epoch, step, steps, options.Epochs, lossValue, null, learningRate, clock.Elapsed));
            }
            double? validationLoss = validX is null ? null : Evaluate(head, validX, validY!, lossOf);
            double lastRate = optimizer.ParamGroups.First().LearningRate;
            var metrics = new EpochMetrics(epoch, lossSum / steps, validationLoss, lastRate, clock.Elapsed.TotalSeconds);
            history.Add(metrics);
            progress?.Report(Progress(TrainingPhase.Epoch, epoch, steps, steps, options.Epochs, metrics.TrainLoss, validationLoss, lastRate, clock.Elapsed));
            FaultPoints.Hit(FaultPoints.TrainingEpoch);
        }
        head.eval();
        return history;
    }

    /// <summary>One version per row for an epoch (original or a view, uniformly), drawn from the run's generator.</summary>
    private Tensor PickVersions(Tensor versions, int versionCount, int rows, Generator generator)
    {
        using var scope = NewDisposeScope();
        var version = randint(0, versionCount, [rows], dtype: ScalarType.Int64, device: device, generator: generator);
        var picked = versions.index_select(0, version * rows + arange(rows, dtype: ScalarType.Int64, device: device));
        return picked.MoveToOuterDisposeScope();
    }

    public static Tensor CosineLoss(Tensor predicted, Tensor target) =>
        1 - nn.functional.cosine_similarity(predicted, target, dim: 1).mean();

    private static double Evaluate(DeviseHead head, Tensor features, Tensor targets, Func<Tensor, Tensor, Tensor> lossOf)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        head.eval();
        return lossOf(head.forward(features), targets).item<float>();
    }

    private Tensor ToTensor(float[][] rows) => OnDevice(TensorRows.ToTensor(rows, rows[0].Length));

    /// <summary>
    /// The tensor on the run's device. to() hands back a new tensor even when nothing moves, so the one it came from
    /// is disposed here: left to the finalizer, it would hold the rows' memory after the run.
    /// </summary>
    private Tensor OnDevice(Tensor tensor) => tensor.to(device, disposeAfter: true);

    private static TrainingProgress Progress(TrainingPhase phase, int epoch, int step, int steps, int epochs,
        double trainLoss, double? validationLoss, double learningRate, TimeSpan elapsed)
    {
        double done = ((epoch - 1) * steps + step) / (double)(epochs * steps);
        TimeSpan? remaining = done > 0 ? TimeSpan.FromSeconds(elapsed.TotalSeconds * (1 - done) / done) : null;
        return new TrainingProgress(phase, epoch, epochs, step, steps, trainLoss, validationLoss, learningRate, elapsed, remaining);
    }
}
