using DeviseWeb.Engine.Training;

namespace DeviseWeb.Tests.Training;

public sealed class TrainingOptionsTests
{
    [Fact]
    public void Validate_Defaults_HasNoProblems() => Assert.Empty(new TrainingOptions().Validate());

    [Fact]
    public void Validate_MethodOptionsOutOfRange_NamesEachProblem()
    {
        var options = new TrainingOptions
        {
            Mapping = (MappingKind)7, ConseTop = 0, TransferWeight = 1.5, TransferNeighbours = 0, TransferTemperature = 0,
            TransferSource = (TransferSource)9, HypernymWeight = 1, TargetTemplate = "a photo",
        };

        var problems = string.Join(" ", options.Validate());

        foreach (var name in new[] { "Mapping", "ConSE top", "Transfer weight", "Transfer neighbours", "Transfer temperature", "Transfer source", "Hypernym weight", "Target template" })
            Assert.Contains(name, problems);
    }

    [Theory]
    [InlineData("a photo of a {0}", true)]
    [InlineData("{0}", true)]
    [InlineData("a {1} of {0}", false)]
    [InlineData("no label here", false)]
    public void Validate_TargetTemplate_NeedsTheLabelPlaceholderAndNoOtherBraces(string template, bool valid) =>
        Assert.Equal(valid, !new TrainingOptions { TargetTemplate = template }.Validate().Any());
}
