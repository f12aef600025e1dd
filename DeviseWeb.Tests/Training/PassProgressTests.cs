using DeviseWeb.Engine;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Tests.Training;

public sealed class PassProgressTests
{
    private static TrainingProgress At(int epoch, double elapsedSeconds, double remainingSeconds) =>
        new(TrainingPhase.Epoch, epoch, 10, 5, 5, 0.5, 0.6, 1e-3, TimeSpan.FromSeconds(elapsedSeconds), TimeSpan.FromSeconds(remainingSeconds));

    [Fact]
    public void TwoPasses_FractionElapsedAndRemainingCoverTheWholeRun()
    {
        var seen = new List<TrainingProgress>();
        var passes = new PassProgress(new SynchronousProgress<TrainingProgress>(seen.Add), passes: 2);

        var first = passes.Next(photoEvaluation: false)!;
        first.Report(At(5, 10, 10));
        first.Report(At(10, 20, 0));
        passes.Next(photoEvaluation: true)!.Report(At(5, 9, 9));

        Assert.Equal([0.25, 0.5, 0.75], seen.Select(p => p.Fraction));
        Assert.Equal(TimeSpan.FromSeconds(30), seen[0].Remaining); // 10 left of this pass + a second pass as long (20)
        Assert.Equal(TimeSpan.FromSeconds(29), seen[2].Elapsed); // the first pass's 20 s, then 9 s of the second
        Assert.Equal(TimeSpan.FromSeconds(9), seen[2].Remaining);
        Assert.Equal([false, false, true], seen.Select(p => p.PhotoEvaluation));
        Assert.Equal([1, 1, 2], seen.Select(p => p.Pass));
    }

    [Fact]
    public void OnePass_ReportsAsTheTrainerDid()
    {
        var seen = new List<TrainingProgress>();
        var passes = new PassProgress(new SynchronousProgress<TrainingProgress>(seen.Add), passes: 1);

        passes.Next(photoEvaluation: false)!.Report(At(5, 10, 10));

        Assert.Equal(0.5, seen[0].Fraction);
        Assert.Equal(TimeSpan.FromSeconds(10), seen[0].Remaining);
        Assert.Equal(TimeSpan.FromSeconds(10), seen[0].Elapsed);
        Assert.Null(new PassProgress(null, 2).Next(photoEvaluation: false));
    }
}
