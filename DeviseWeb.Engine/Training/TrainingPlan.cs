using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Training.Methods;

namespace DeviseWeb.Engine.Training;

/// <summary>The sizes a training run's passes depend on.</summary>
internal readonly record struct TrainingSize(int Gallery, int Train, int Validation, int Labels, int FeatureDimension, int EmbeddingDimension);

/// <summary>
/// The passes of one training run and the one stream of <see cref="TrainingProgress"/> they report through: each pass
/// with its own fraction and time left, the run's fraction over all of them (<see cref="PhasedProgress"/>), and the
/// head trainer's steps and epochs as the epochs pass. Each pass is weighted by a rough count of its multiply-adds, so
/// that the bar moves about evenly in time whether the epochs or label transfer dominate (a small gallery with many
/// epochs, or a million images); the weights are estimates, each pass's own counts are exact.
/// </summary>
internal sealed class TrainingPlan
{
    private readonly PhasedProgress _passes;
    private readonly IProgress<TrainingProgress>? _progress;
    private TrainingProgress _latest; // the latest step or epoch, carried through the passes after the epochs
    private TrainingPhase _phase = TrainingPhase.Pass;

    public TrainingPlan(TrainingOptions options, TrainingSize size, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        _progress = progress;
        int steps = StepsPerEpoch(options, size);
        _latest = new TrainingProgress(TrainingPhase.Pass, 0, options.Epochs, 0, steps, double.NaN, null, 0, TimeSpan.Zero, null);
        _passes = new PhasedProgress(Passes(options, size).Select(p => (NameOf(p.Pass), p.Work)).ToList(), Report, cancellationToken);
    }

    public CancellationToken CancellationToken => _passes.CancellationToken;

    /// <summary>A pass's name as the Training page and the CLI show it.</summary>
    public static string NameOf(TrainingPass pass) => pass switch
    {
        TrainingPass.Reading => "Reading the gallery",
        TrainingPass.Targets => "Label targets",
        TrainingPass.Alignment => "CORAL",
        TrainingPass.Epochs => "Epochs",
        TrainingPass.Embedding => "Embedding the gallery",
        TrainingPass.LabelTransfer => "Label transfer",
        TrainingPass.Evaluation => "Evaluation",
        TrainingPass.WritingVectors => "Writing vectors",
        TrainingPass.Activation => "Activation",
        _ => pass.ToString(),
    };

    /// <summary>The passes a run with these options makes, in order, each with its estimated multiply-adds.</summary>
    public static IReadOnlyList<(TrainingPass Pass, double Work)> Passes(TrainingOptions options, TrainingSize size)
    {
        double g = size.Gallery, f = size.FeatureDimension, d = size.EmbeddingDimension;
        double head = f * options.HiddenSize + (double)options.HiddenSize * d; // one row through the head
        double labelled = size.Train + size.Validation;
        var passes = new List<(TrainingPass, double)>
        {
            (TrainingPass.Reading, g * f * 4),
            // MiniLM, about 22M weights, over a few tokens per label and its hypernyms.
            (TrainingPass.Targets, size.Labels * 2e8),
        };
        if (options.AlignFeatures)
            passes.Add((TrainingPass.Alignment, (Math.Min(labelled, CoralMap.SampleRows) + Math.Min(g, CoralMap.SampleRows) + labelled) * f * f));
        // Forward and backward (about three forward passes) over the training rows, and the validation rows forward.
        passes.Add((TrainingPass.Epochs, options.Epochs * (3 * size.Train + size.Validation) * head));
        passes.Add((TrainingPass.Embedding, g * head));
        if (options.TransferWeight > 0)
            // An int8 scan of the reference per image, at about four times the rate of float multiply-adds.
            passes.Add((TrainingPass.LabelTransfer, g * Math.Min(size.Train, LabelTransfer.ReferenceLimit) * f / 4));
        // The gallery quantised, then scanned once per label (int8) and scored against every label.
        passes.Add((TrainingPass.Evaluation, g * d * (16 + size.Labels / 2.0)));
        passes.Add((TrainingPass.WritingVectors, g * d * 16));
        if (options.Activate) passes.Add((TrainingPass.Activation, g * d * 4));
        return passes;
    }

    /// <summary>Starts a pass: reported at once, after checking for a cancel.</summary>
    public PhasedProgress.Pass Begin(TrainingPass pass, long total)
    {
        _phase = TrainingPhase.Pass;
        return _passes.Begin(NameOf(pass), total);
    }

    /// <summary>Starts the epochs pass; the head trainer reports its steps and epochs through what this returns.</summary>
    public IProgress<TrainingProgress> BeginEpochs(TrainingOptions options, TrainingSize size)
    {
        var pass = Begin(TrainingPass.Epochs, (long)options.Epochs * StepsPerEpoch(options, size));
        return new SynchronousProgress<TrainingProgress>(step =>
        {
            _latest = step;
            _phase = step.Phase;
            pass.Report((long)(step.Epoch - 1) * step.StepsPerEpoch + step.Step);
        });
    }

    private static int StepsPerEpoch(TrainingOptions options, TrainingSize size) => (size.Train + options.BatchSize - 1) / options.BatchSize;

    private void Report(JobProgress progress) => _progress?.Report(_latest with
    {
        Phase = _phase, Fraction = progress.Fraction, PassProgress = progress.Phase, Elapsed = progress.Elapsed ?? TimeSpan.Zero, Remaining = progress.Remaining,
    });
}
