using DeviseWeb.Engine.Training.Methods;

namespace DeviseWeb.Tests.Training.Methods;

public sealed class CoralMapTests
{
    [Fact]
    public void Apply_MapsTheSourceToTheTargetsMeanAndCovariance()
    {
        var random = new Random(1);
        float[][] source = Enumerable.Range(0, 400).Select(_ => new[] { (float)random.NextDouble(), (float)random.NextDouble() * 3 }).ToArray();
        float[][] target = Enumerable.Range(0, 400).Select(_ => new[] { 5 + (float)random.NextDouble() * 4, -2 + (float)random.NextDouble() }).ToArray();

        var mapped = CoralMap.Fit(source, target).Apply(source);

        Assert.Equal(target.Average(t => t[0]), mapped.Average(m => m[0]), 2);
        Assert.Equal(target.Average(t => t[1]), mapped.Average(m => m[1]), 2);
        // With the identity added to both covariances, a variance maps as v_s · (v_t + 1) / (v_s + 1) (columns here are independent).
        for (int c = 0; c < 2; c++)
        {
            double expected = Variance(source, c) * (Variance(target, c) + 1) / (Variance(source, c) + 1);
            Assert.InRange(Variance(mapped, c), expected * 0.9, expected * 1.1);
        }
    }

    [Fact]
    public void Apply_MoreRowsThanItSamples_StillMapsEveryRowToTheTargetsMean()
    {
        var random = new Random(2);
        int count = CoralMap.SampleRows + 20_000;
        float[][] source = Enumerable.Range(0, count).Select(_ => new[] { (float)random.NextDouble(), (float)random.NextDouble() * 3 }).ToArray();
        float[][] target = Enumerable.Range(0, count).Select(_ => new[] { 5 + (float)random.NextDouble() * 4, -2 + (float)random.NextDouble() }).ToArray();

        var mapped = CoralMap.Fit(source, target).Apply(source);

        Assert.Equal(count, mapped.Length);
        Assert.Equal(target.Average(t => t[0]), mapped.Average(m => m[0]), 1);
        Assert.Equal(target.Average(t => t[1]), mapped.Average(m => m[1]), 1);
        Assert.All(mapped, m => Assert.True(float.IsFinite(m[0]) && float.IsFinite(m[1])));
    }

    [Fact]
    public void Fit_RowsOverSeveralBlocks_MapsToTheTargetsCovarianceAsOneBlockWould()
    {
        // 20,000 rows: the covariance is summed over three blocks of rows; a block lost or counted twice moves it.
        var random = new Random(3);
        float[][] source = Enumerable.Range(0, 20_000).Select(_ => new[] { (float)random.NextDouble(), (float)random.NextDouble() * 3 }).ToArray();
        float[][] target = Enumerable.Range(0, 20_000).Select(_ => new[] { 5 + (float)random.NextDouble() * 4, -2 + (float)random.NextDouble() }).ToArray();

        var mapped = CoralMap.Fit(source, target).Apply(source);

        for (int c = 0; c < 2; c++)
        {
            Assert.Equal(target.Average(t => t[c]), mapped.Average(m => m[c]), 2);
            double expected = Variance(source, c) * (Variance(target, c) + 1) / (Variance(source, c) + 1);
            Assert.InRange(Variance(mapped, c), expected * 0.98, expected * 1.02);
        }
    }

    [Fact]
    public void Fit_Cancelled_Throws()
    {
        float[][] rows = Enumerable.Range(0, 100).Select(i => new[] { i * 0.1f, 1f }).ToArray();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Throws<OperationCanceledException>(() => CoralMap.Fit(rows, rows, cancelled.Token));
    }

    private static double Variance(float[][] rows, int column)
    {
        double mean = rows.Average(r => r[column]);
        return rows.Sum(r => (r[column] - mean) * (r[column] - mean)) / (rows.Length - 1);
    }
}
