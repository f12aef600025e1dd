using DeviseWeb.Engine;
using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Training;
using static TorchSharp.torch;

namespace DeviseWeb.Tests.Models;

public sealed class FiniteModelCheckTests
{
    private static readonly EvaluationReport Finite = new() { ValidationLoss = 0.3, ValidationHit1 = new Metric(0.5, 0.1, 10) };

    [Fact]
    public void Problem_FiniteFigures_Null() =>
        Assert.Null(FiniteModelCheck.Problem([new EpochMetrics(1, 0.4, 0.3, 1e-3, 1)], Finite));

    [Fact]
    public void Problem_NaNLoss_NamesTheLoss() =>
        Assert.Contains("loss", FiniteModelCheck.Problem([new EpochMetrics(1, double.NaN, null, 1e-3, 1)], Finite), StringComparison.Ordinal);

    [Fact]
    public void Problem_InfiniteMetric_NamesTheMetrics() =>
        Assert.Contains("metrics", FiniteModelCheck.Problem([], Finite with { ZeroShotHit5 = new Metric(double.PositiveInfinity, 0.1, 3) }), StringComparison.Ordinal);

    [Fact]
    public void Problem_NaNWeights_NamesTheWeights()
    {
        // Arrange
        using var head = new DeviseHead(4, 8, 3, 0);
        using (no_grad()) head.parameters().First().fill_(double.NaN);

        // Act
        var problem = FiniteModelCheck.Problem(head, [[0.1f, 0.2f, 0.3f]]);

        // Assert
        Assert.Equal("its weights", problem);
    }

    [Fact]
    public void Problem_NaNEmbedding_NamesTheEmbeddings()
    {
        // Arrange
        using var head = new DeviseHead(4, 8, 3, 0);

        // Act
        var problem = FiniteModelCheck.Problem(head, [[0.1f, float.NaN, 0.3f]]);

        // Assert
        Assert.Equal("its gallery embeddings", problem);
    }

    [Fact]
    public void ThrowIfDiverged_AProblem_FailsTheRunSayingWhat()
    {
        // Act
        var error = Assert.Throws<InvalidInputException>(() => FiniteModelCheck.ThrowIfDiverged("its weights"));

        // Assert
        Assert.Contains("diverged: its weights", error.Message, StringComparison.Ordinal);
        Assert.Contains("not saved or activated", error.Message, StringComparison.Ordinal);
    }
}
