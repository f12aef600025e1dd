using DeviseWeb.Engine;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Tests.Training;

public sealed class DatasetSplitterTests
{
    private static readonly IReadOnlyList<(int, string)> Images =
        Enumerable.Range(0, 120).Select(i => (i, $"label{i % 15}")).ToList();

    [Fact]
    public void Split_SameSeed_GivesTheSameSplit()
    {
        var options = new TrainingOptions { HeldOutLabelCount = 3, Seed = 7 };

        var first = DatasetSplitter.Split(Images, options);
        var second = DatasetSplitter.Split(Images.Reverse().ToList(), options);

        Assert.Equal(first.HeldOutLabels, second.HeldOutLabels);
        Assert.Equal(first.TrainImageIds, second.TrainImageIds);
        Assert.Equal(first.ValidationImageIds, second.ValidationImageIds);
    }

    [Fact]
    public void Split_HeldOutLabels_NeverReachTrainingOrValidation()
    {
        var split = DatasetSplitter.Split(Images, new TrainingOptions { HeldOutLabelCount = 3, HeldOutLabels = ["label4"], Seed = 1 });

        Assert.Equal(4, split.HeldOutLabels.Count);
        Assert.Contains("label4", split.HeldOutLabels);
        var heldOut = split.HeldOutImageIds.ToHashSet();
        Assert.All(split.HeldOutImageIds, id => Assert.Contains($"label{id % 15}", split.HeldOutLabels));
        Assert.DoesNotContain(split.TrainImageIds, heldOut.Contains);
        Assert.DoesNotContain(split.ValidationImageIds, heldOut.Contains);
        Assert.Equal(120, split.TrainImageIds.Count + split.ValidationImageIds.Count + split.HeldOutImageIds.Count);
    }

    [Fact]
    public void Split_SeenLabels_PutAboutAQuarterInValidation()
    {
        var split = DatasetSplitter.Split(Images, new TrainingOptions { HeldOutLabelCount = 0 });

        Assert.Equal(120 / 4, split.ValidationImageIds.Count);
    }

    [Fact]
    public void Split_OneLabel_FailsWithAClearMessage()
    {
        var error = Assert.Throws<InvalidInputException>(() =>
            DatasetSplitter.Split([(1, "cat"), (2, "cat")], new TrainingOptions { HeldOutLabelCount = 0 }));

        Assert.Contains("at least 2 labels", error.Message);
    }

    [Fact]
    public void Split_HeldOutLabelWrittenAnotherWay_MatchesTheStoredLabel()
    {
        IReadOnlyList<(int, string)> images = [(1, "polar bear"), (2, "polar bear"), (3, "cat"), (4, "cat"), (5, "dog"), (6, "dog")];

        var split = DatasetSplitter.Split(images, new TrainingOptions { HeldOutLabelCount = 0, HeldOutLabels = ["  Polar   BEAR "] });

        Assert.Equal(["polar bear"], split.HeldOutLabels);
        Assert.Equal([1, 2], split.HeldOutImageIds);
    }

    [Fact]
    public void Split_UnknownHeldOutLabel_IsNamedInTheError()
    {
        var error = Assert.Throws<InvalidInputException>(() =>
            DatasetSplitter.Split(Images, new TrainingOptions { HeldOutLabels = ["unicorn"] }));

        Assert.Contains("unicorn", error.Message);
    }
}
