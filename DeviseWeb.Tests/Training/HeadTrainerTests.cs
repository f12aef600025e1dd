using DeviseWeb.Engine;
using DeviseWeb.Engine.Training;
using DeviseWeb.Engine.Training.Methods;
using TorchSharp;

namespace DeviseWeb.Tests.Training;

/// <summary>
/// The head's training loop on a tiny CPU set. What it leaves behind is counted with TorchSharp's tally of live
/// tensors on the calling thread: Train runs on the test's thread, so the count sees only what this test made.
/// </summary>
public sealed class HeadTrainerTests
{
    private const int Inputs = 6, Targets = 4, Classes = 3;
    private static readonly TrainingOptions Options = new() { Epochs = 3, BatchSize = 4, HiddenSize = 8, Seed = 1 };

    private static long LiveTensors => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Train_CancelledMidRun_LeavesNoTensorAlive(bool classify)
    {
        using var cancel = new CancellationTokenSource();
        var progress = new SynchronousProgress<TrainingProgress>(p =>
        {
            if (p is { Phase: TrainingPhase.Step, Epoch: 2, Step: 2 }) cancel.Cancel();
        });
        long before = LiveTensors;

        Assert.Throws<OperationCanceledException>(() => Trainer.Train(Mapping(classify), Set(12, classify), Set(4, classify), Options, progress, cancel.Token));

        Assert.Equal(before, LiveTensors);
    }

    [Fact]
    public void Train_ProgressListenerThrows_LeavesNoTensorAlive()
    {
        var progress = new SynchronousProgress<TrainingProgress>(p =>
        {
            if (p.Phase == TrainingPhase.Epoch) throw new InvalidOperationException("listener broke");
        });
        long before = LiveTensors;

        var error = Assert.Throws<InvalidOperationException>(() => Trainer.Train(Mapping(false), Set(12, false), Set(4, false), Options, progress, CancellationToken.None));

        Assert.Equal("listener broke", error.Message);
        Assert.Equal(before, LiveTensors);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Train_Finished_LeavesOnlyTheHeadItHandsBack(bool classify)
    {
        long before = LiveTensors;

        var (head, history) = Trainer.Train(Mapping(classify), Set(12, classify), Set(4, classify), Options, null, CancellationToken.None);
        long withHead = LiveTensors;
        head.Dispose();

        Assert.Equal(Options.Epochs, history.Count);
        Assert.True(withHead > before, "the head's weights are alive until it is disposed");
        Assert.Equal(before, LiveTensors);
    }

    private static HeadTrainer Trainer => new(torch.CPU);

    /// <summary>DeViSE regressing one-hot targets, or with <paramref name="classify"/> ConSE over three classes.</summary>
    private static IEmbeddingMapping Mapping(bool classify) => classify
        ? new ConseMapping(Enumerable.Range(0, Classes).Select(c => $"c{c}").ToList(), Enumerable.Range(0, Classes).Select(OneHot).ToArray())
        : new DeviseMapping(Targets, Enumerable.Range(0, Targets).ToDictionary(t => $"t{t}", OneHot));

    /// <summary>Rows of a fixed pattern, labelled for the mapping: a target each, or with <paramref name="classify"/> a class each.</summary>
    private static LabelledRows Set(int rows, bool classify)
    {
        var features = Enumerable.Range(0, rows).Select(r => Enumerable.Range(0, Inputs).Select(c => (float)Math.Sin(r * 7 + c)).ToArray()).ToArray();
        return new LabelledRows(features, Enumerable.Range(0, rows).Select(r => classify ? $"c{r % Classes}" : $"t{r % Targets}").ToList());
    }

    private static float[] OneHot(int index) => Enumerable.Range(0, Targets).Select(c => c == index ? 1f : 0f).ToArray();
}
