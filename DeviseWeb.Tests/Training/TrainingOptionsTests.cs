using System.Text.Json;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Imaging;
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

        foreach (var name in new[] { "Mapping", "ConseTop", "TransferWeight", "TransferNeighbours", "TransferTemperature", "TransferSource", "HypernymWeight", "TargetTemplate" })
            Assert.Contains(name, problems);
    }

    [Theory]
    [InlineData("a photo of a {0}", true)]
    [InlineData("{0}", true)]
    [InlineData("a {1} of {0}", false)]
    [InlineData("no label here", false)]
    public void Validate_TargetTemplate_NeedsTheLabelPlaceholderAndNoOtherBraces(string template, bool valid) =>
        Assert.Equal(valid, !new TrainingOptions { TargetTemplate = template }.Validate().Any());

    [Theory]
    [InlineData(nameof(TrainingOptions.Epochs))]
    [InlineData(nameof(TrainingOptions.LearningRate))]
    [InlineData(nameof(TrainingOptions.BatchSize))]
    [InlineData(nameof(TrainingOptions.WeightDecay))]
    [InlineData(nameof(TrainingOptions.HiddenSize))]
    [InlineData(nameof(TrainingOptions.Dropout))]
    [InlineData(nameof(TrainingOptions.HeldOutLabelCount))]
    [InlineData(nameof(TrainingOptions.ValidationFraction))]
    public void Validate_AboveTheUpperBound_NamesTheOption(string option)
    {
        // Arrange
        var options = option switch
        {
            nameof(TrainingOptions.Epochs) => new TrainingOptions { Epochs = TrainingOptions.MaxEpochs + 1 },
            nameof(TrainingOptions.LearningRate) => new TrainingOptions { LearningRate = 2 },
            nameof(TrainingOptions.BatchSize) => new TrainingOptions { BatchSize = TrainingOptions.MaxBatchSize + 1 },
            nameof(TrainingOptions.WeightDecay) => new TrainingOptions { WeightDecay = 1e6 },
            nameof(TrainingOptions.HiddenSize) => new TrainingOptions { HiddenSize = TrainingOptions.MaxHiddenSize + 1 },
            nameof(TrainingOptions.Dropout) => new TrainingOptions { Dropout = 1 },
            nameof(TrainingOptions.HeldOutLabelCount) => new TrainingOptions { HeldOutLabelCount = TrainingOptions.MaxHeldOutLabelCount + 1 },
            _ => new TrainingOptions { ValidationFraction = 1 },
        };

        // Act
        var problem = Assert.Single(options.Validate());

        // Assert
        Assert.StartsWith(option + " ", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NotFinite_RefusesEachDouble()
    {
        // Arrange
        var options = new TrainingOptions { LearningRate = double.NaN, WeightDecay = double.PositiveInfinity, Dropout = double.NaN, ValidationFraction = double.NaN };

        // Act
        var problems = options.Validate().ToList();

        // Assert
        Assert.Equal(4, problems.Count);
    }

    [Fact]
    public void Validate_TooManyHeldOutLabels_Refused()
    {
        // Arrange
        var options = new TrainingOptions { HeldOutLabels = Enumerable.Range(0, TrainingOptions.MaxHeldOutLabels + 1).Select(i => $"l{i}").ToList() };

        // Act + Assert
        Assert.StartsWith("HeldOutLabels", Assert.Single(options.Validate()), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1, false)]
    [InlineData(0, true)]
    [InlineData(4, true)]
    [InlineData(FeatureViewStore.MaxViews, true)]
    [InlineData(FeatureViewStore.MaxViews + 1, false)]
    public void Validate_AugmentedViews_BetweenZeroAndTheMost(int views, bool valid)
    {
        var problems = new TrainingOptions { AugmentedViews = views }.Validate().ToList();

        Assert.Equal(valid, problems.Count == 0);
        Assert.All(problems, p => Assert.StartsWith("AugmentedViews ", p, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ViewsWithCoral_AreValid_AnUnknownBackgroundIsNamed()
    {
        Assert.Empty(new TrainingOptions { AugmentedViews = 2, AlignFeatures = true }.Validate()); // CORAL's map recolours the views too

        var problems = string.Join(" ", new TrainingOptions { AugmentedViews = 2, ViewBackground = (ViewBackground)5 }.Validate());

        Assert.Contains("ViewBackground", problems, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_UnknownField_Throws()
    {
        // Act
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<TrainingOptions>("{\"epochs\": 2, \"weightDecayy\": 1}", JsonSerializerOptions.Web));

        // Assert
        Assert.Contains("weightDecayy", error.Message, StringComparison.Ordinal);
    }
}
