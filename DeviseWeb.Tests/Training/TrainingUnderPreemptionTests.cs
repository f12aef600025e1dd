using DeviseWeb.Engine;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Training;
using DeviseWeb.Engine.Training.Methods;
using TorchSharp;

namespace DeviseWeb.Tests.Training;

/// <summary>
/// Training's torch work on the job thread, below the requests' priority, while busy threads preempt it and the
/// garbage collector runs its finalisers all the while: what the app's jobs meet under load. A TorchSharp value
/// (a Scalar) left to its finaliser while a preempted native call still reads it fails such a run ("Unknown scalar
/// type", which both cases did with TorchSharp's AdamW) or changes its numbers, so the run must finish and match the
/// same run made quietly (to a few units in the last place: libtorch's CPU kernels differ that much run to run here).
/// </summary>
[Trait("Category", "Slow")]
[Collection(nameof(TrainingUnderPreemptionTests))]
public sealed class TrainingUnderPreemptionTests
{
    private const int Inputs = 32, Targets = 16, Classes = 6, Rows = 240;

    /// <summary>No dropout: its masks come from torch's process-wide generator, which other tests' threads draw from too.</summary>
    private static readonly TrainingOptions Options = new() { Epochs = 6, BatchSize = 8, HiddenSize = 24, Dropout = 0, Seed = 3 };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Train_OnTheIdleJobThreadUnderPreemptionAndCollections_MatchesAQuietRun(bool classify)
    {
        var quiet = Run(classify);

        using var thread = new JobThread(new EngineOptions { JobCpuPriority = JobCpuPriority.Idle });
        using var stop = new CancellationTokenSource();
        var pressure = Pressure(stop.Token);
        TrainedRun busy;
        try
        {
            busy = await thread.RunAsync(() => Run(classify));
        }
        finally
        {
            stop.Cancel();
            await Task.WhenAll(pressure);
        }

        Assert.True(thread.Lowered);
        AssertClose(quiet.Weights, busy.Weights);
        AssertClose(quiet.Embeddings, busy.Embeddings);
        AssertClose(quiet.Losses, busy.Losses);
    }

    private static void AssertClose(IEnumerable<double> expected, IEnumerable<double> actual) =>
        Assert.All(expected.Zip(actual), pair => Assert.Equal(pair.First, pair.Second, 1e-4));

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        AssertClose(expected.Select(v => (double)v), actual.Select(v => (double)v));
    }

    private sealed record TrainedRun(float[] Weights, float[] Embeddings, double[] Losses);

    /// <summary>CORAL fitted and applied, a head trained, the rows embedded: every torch step of a training job.</summary>
    private static TrainedRun Run(bool classify)
    {
        var rows = Features(Rows, 0);
        var gallery = Features(Rows, 1000);
        var coral = CoralMap.Fit(rows, gallery);
        var aligned = coral.Apply(rows);
        var labels = Enumerable.Range(0, Rows).Select(r => classify ? $"c{r % Classes}" : $"t{r % Targets}").ToList();
        var mapping = Mapping(classify);
        var (head, history) = new HeadTrainer(torch.CPU).Train(mapping, new LabelledRows(aligned[..200], labels[..200]),
            new LabelledRows(aligned[200..], labels[200..]), Options, null, CancellationToken.None);
        using (head)
        {
            var embeddings = head.Map(coral.Apply(gallery), torch.CPU, mapping.Embed);
            return new TrainedRun(head.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray(), embeddings.SelectMany(e => e).ToArray(),
                history.SelectMany(e => new[] { e.TrainLoss, e.ValidationLoss ?? double.NaN }).ToArray());
        }
    }

    /// <summary>
    /// Two threads at normal priority that keep both cores busy in short bursts (so the idle-priority job thread is
    /// preempted again and again, for milliseconds at a time), and one that collects garbage and runs finalisers non-stop.
    /// </summary>
    private static Task[] Pressure(CancellationToken stop)
    {
        var spinners = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var until = DateTime.UtcNow.AddMilliseconds(4);
                while (DateTime.UtcNow < until) Thread.SpinWait(50);
                Thread.Sleep(1);
            }
        }, TaskCreationOptions.LongRunning));
        var collector = Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }, TaskCreationOptions.LongRunning);
        return [.. spinners, collector];
    }

    private static IEmbeddingMapping Mapping(bool classify) => classify
        ? new ConseMapping(Enumerable.Range(0, Classes).Select(c => $"c{c}").ToList(), Enumerable.Range(0, Classes).Select(c => Unit(c, Targets)).ToArray())
        : new DeviseMapping(Targets, Enumerable.Range(0, Targets).ToDictionary(t => $"t{t}", t => Unit(t, Targets)));

    private static float[][] Features(int rows, int offset) =>
        Enumerable.Range(offset, rows).Select(r => Enumerable.Range(0, Inputs).Select(c => (float)Math.Sin(r * 7.3 + c * 1.1)).ToArray()).ToArray();

    private static float[] Unit(int seed, int width)
    {
        var v = Enumerable.Range(0, width).Select(c => (float)Math.Cos(seed * 3.1 + c)).ToArray();
        float norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }
}

/// <summary>
/// Alone, not beside other test classes: on two cores their threads would starve the idle-priority run for minutes,
/// and their draws from torch's generator would change its starting weights.
/// </summary>
[CollectionDefinition(nameof(TrainingUnderPreemptionTests), DisableParallelization = true)]
public sealed class TrainingUnderPreemptionCollection;
