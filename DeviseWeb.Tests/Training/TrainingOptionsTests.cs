using System.Reflection;
using System.Text.Json;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Tests.Training;

public sealed class TrainingOptionsTests
{
    [Fact]
    public void Validate_Defaults_HasNoProblems() => Assert.Empty(new TrainingOptions().Validate());

    [Fact]
    public void Options_AUserSets_AreAtMostThirteen()
    {
        // Twelve hyperparameters and Activate; knobs nobody tuned are constants of their methods.
        var names = typeof(TrainingOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name).ToList();

        Assert.Equal(13, names.Count);
        Assert.DoesNotContain("WeightDecay", names);
        Assert.DoesNotContain("TransferNeighbours", names);
    }

    [Fact]
    public void Validate_MethodOptionsOutOfRange_NamesEachProblem()
    {
        var options = new TrainingOptions { Mapping = (MappingKind)7, TransferWeight = 1.5, HypernymWeight = 1 };

        var problems = options.Validate().ToList();

        Assert.Equal(3, problems.Count);
        foreach (var name in new[] { "Mapping", "TransferWeight", "HypernymWeight" })
            Assert.Single(problems, p => p.StartsWith(name + " ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(nameof(TrainingOptions.Epochs))]
    [InlineData(nameof(TrainingOptions.LearningRate))]
    [InlineData(nameof(TrainingOptions.BatchSize))]
    [InlineData(nameof(TrainingOptions.HiddenSize))]
    [InlineData(nameof(TrainingOptions.Dropout))]
    [InlineData(nameof(TrainingOptions.HeldOutLabelCount))]
    public void Validate_AboveTheUpperBound_NamesTheOption(string option)
    {
        // Arrange
        var options = option switch
        {
            nameof(TrainingOptions.Epochs) => new TrainingOptions { Epochs = TrainingOptions.MaxEpochs + 1 },
            nameof(TrainingOptions.LearningRate) => new TrainingOptions { LearningRate = 2 },
            nameof(TrainingOptions.BatchSize) => new TrainingOptions { BatchSize = TrainingOptions.MaxBatchSize + 1 },
            nameof(TrainingOptions.HiddenSize) => new TrainingOptions { HiddenSize = TrainingOptions.MaxHiddenSize + 1 },
            nameof(TrainingOptions.Dropout) => new TrainingOptions { Dropout = 1 },
            _ => new TrainingOptions { HeldOutLabelCount = TrainingOptions.MaxHeldOutLabelCount + 1 },
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
        var options = new TrainingOptions { LearningRate = double.NaN, Dropout = double.NaN, TransferWeight = double.PositiveInfinity, HypernymWeight = double.NaN };

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
    [InlineData("weightDecayy")]
    [InlineData("normalizeDomains")] // a method that left the product: refused by name, not silently ignored
    [InlineData("augmentedViews")]
    public void Deserialize_UnknownField_Throws(string field)
    {
        // Act
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<TrainingOptions>($"{{\"epochs\": 2, \"{field}\": 1}}", JsonSerializerOptions.Web));

        // Assert
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }
}
