using System.Diagnostics;
using DeviseWeb.Engine.Training.Methods;
using DeviseWeb.Engine.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace DeviseWeb.Engine.Training;

/// <summary>Rows of backbone features and their labels: one side of a run's split.</summary>
public sealed record LabelledRows(float[][] Features, IReadOnlyList<string> Labels)
{
    public int Count => Features.Length;
}

/// <summary>
/// Trains a <see cref="DeviseHead"/> on cached features through its mapping (the mapping gives the targets and the
/// loss), with AdamW and a one-cycle schedule. Deterministic for a seed on CPU.
/// </summary>
public sealed class HeadTrainer(Device device)
{
    /// <summary>AdamW weight decay: 0.01, never tuned. Learning rate × decay stays within [0, 1], so decay cannot blow the weights up.</summary>
    public const double WeightDecay = 1e-2;

    /// <summary>The trained head, in eval mode; the caller owns it. Validation rows the mapping cannot learn (ConSE: a label with no training image) are left out.</summary>
    public (DeviseHead Head, List<EpochMetrics> History) Train(IEmbeddingMapping mapping, LabelledRows train, LabelledRows validation,
        TrainingOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        if (train.Count == 0) throw new InvalidOperationException("No training images.");
        SeededRuns.Wait(cancellationToken);
        try
        {
            random.manual_seed(options.Seed);
            var head = new DeviseHead(train.Features[0].Length, options.HiddenSize, mapping.OutputSize, options.Dropout);
            try
            {
                head.to(device);
                return (head, Fit(head, mapping, train, Learnable(mapping, validation), options, progress, cancellationToken));
            }
            catch
            {
                // The weights live in native memory that the finalizer frees only whenever it runs: a cancelled or
                // failed run hands them back now. On success the caller owns the head.
                head.Dispose();
                throw;
            }
        }
        finally { SeededRuns.Release(); }
    }

    /// <summary>
    /// torch's default random generator is process-wide: the initial weights and every dropout mask draw from it, so two
    /// runs side by side (the tests run classes in parallel; a run beside the job queue's) would each take the other's
    /// draws and neither would be reproducible from its seed. One seeded run at a time.
    /// </summary>
    private static readonly SemaphoreSlim SeededRuns = new(1, 1);

    /// <summary>The training loop; every tensor and the optimizer it makes are disposed before it returns or throws.</summary>
    private List<EpochMetrics> Fit(DeviseHead head, IEmbeddingMapping mapping, LabelledRows train, LabelledRows validation,
        TrainingOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var history = new List<EpochMetrics>();
        // Only the tensors from here on: the rows' arrays are not read again, so at a million images their gigabytes can
        // go while the epochs run.
        int trainCount = train.Count;
        using var trainX = ToTensor(train.Features);
        using var trainY = mapping.Targets(train.Labels, device);
        using var validX = validation.Count > 0 ? ToTensor(validation.Features) : null;
        using var validY = validation.Count > 0 ? mapping.Targets(validation.Labels, device) : null;
        train = validation = null!;
        int steps = (trainCount + options.BatchSize - 1) / options.BatchSize;
        using var optimizer = new AdamW(head.parameters(), WeightDecay);
        var schedule = new OneCycleSchedule(options.LearningRate, steps * options.Epochs);
        double learningRate = 0;
        using var shuffler = new Generator((ulong)options.Seed, device);
        var clock = Stopwatch.StartNew();

        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            head.train();
            using var order = randperm(trainCount, generator: shuffler, device: device);
            double lossSum = 0;
            for (int step = 1; step <= steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var index = order.narrow(0, (step - 1) * options.BatchSize, Math.Min(options.BatchSize, trainCount - (step - 1) * options.BatchSize));
                var loss = mapping.Loss(head.forward(trainX.index_select(0, index)), trainY.index_select(0, index));
                optimizer.ZeroGrad();
                loss.backward();
                (learningRate, double beta1) = schedule.At((epoch - 1) * steps + step - 1);
                optimizer.Step(learningRate, beta1);
                double lossValue = loss.item<float>();
                lossSum += lossValue;
                if (progress is not null)
                    progress.Report(Progress(TrainingPhase.Step, epoch, step, steps, options.Epochs, lossValue, null, learningRate, clock.Elapsed));
            }
            double? validationLoss = validX is null ? null : Evaluate(head, mapping, validX, validY!);
            var metrics = new EpochMetrics(epoch, lossSum / steps, validationLoss, learningRate, clock.Elapsed.TotalSeconds);
            history.Add(metrics);
            progress?.Report(Progress(TrainingPhase.Epoch, epoch, steps, steps, options.Epochs, metrics.TrainLoss, validationLoss, metrics.LearningRate, clock.Elapsed));
            FaultPoints.Hit(FaultPoints.TrainingEpoch);
        }
        head.eval();
        return history;
    }

    private static LabelledRows Learnable(IEmbeddingMapping mapping, LabelledRows rows)
    {
        var keep = Enumerable.Range(0, rows.Count).Where(i => mapping.CanLearn(rows.Labels[i])).ToList();
        return keep.Count == rows.Count ? rows : new LabelledRows(keep.Select(i => rows.Features[i]).ToArray(), keep.Select(i => rows.Labels[i]).ToList());
    }

    /// <summary>Rows the validation loss is computed over at once: the hidden layer of 250,000 rows at once was a gigabyte.</summary>
    private const int ValidationBatch = 8192;

    /// <summary>The mapping's loss over every validation row, in batches, each weighted by its rows (the loss is a mean).</summary>
    private static double Evaluate(DeviseHead head, IEmbeddingMapping mapping, Tensor features, Tensor targets)
    {
        using var _ = no_grad();
        head.eval();
        long count = features.shape[0];
        double sum = 0;
        for (long start = 0; start < count; start += ValidationBatch)
        {
            using var scope = NewDisposeScope();
            long rows = Math.Min(ValidationBatch, count - start);
            sum += mapping.Loss(head.forward(features.narrow(0, start, rows)), targets.narrow(0, start, rows)).item<float>() * (double)rows;
        }
        return sum / count;
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
