using DeviseWeb.Cli;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Tests.Cli;

/// <summary>The console's progress off a terminal (a pipe, CI): the lines a user reads in a log.</summary>
public sealed class ConsoleProgressTests
{
    [Theory]
    [InlineData(0.43, 43_000L, 100_000L, 35.0, "Label transfer 43 % 43,000/100,000, 0:35 left")]
    [InlineData(0.5, 1L, 2L, 4000.0, "Label transfer 50 % 1/2, 1:06:40 left")]
    [InlineData(1.0, 100_000L, 100_000L, 0.0, "Label transfer 100 % 100,000/100,000")]
    [InlineData(0.0, 0L, 1L, null, "Label transfer 0 %")]
    public void Describe_Pass_NamesItWithItsShareCountsAndTimeLeft(double fraction, long done, long total, double? secondsLeft, string expected)
    {
        var phase = new JobPhase("Label transfer", 6, 9, fraction, done, total, TimeSpan.FromSeconds(26),
            secondsLeft is { } s ? TimeSpan.FromSeconds(s) : null);

        Assert.Equal(expected, ConsoleProgress.Describe(phase));
    }

    [Fact]
    public void Report_PlainConsole_PrintsOneLineAsEachPassBeginsInOrder()
    {
        var log = new StringWriter();
        using var console = new ConsoleProgress("train", log, interactive: false);
        string[] names = ["Reading the gallery", "Epochs", "Label transfer"];
        var passes = new PhasedProgress(names.Select(n => (n, 1.0)).ToList(),
            p => console.Report(new JobEvent("job", JobKind.Training, JobEventType.Progress, DateTime.UtcNow, p, null, null, null, null)), default);

        foreach (var name in names)
        {
            var pass = passes.Begin(name, 2_500);
            for (int done = 500; done <= 2_500; done += 500) pass.Report(done);
            pass.Complete();
        }
        console.Report(new JobEvent("job", JobKind.Training, JobEventType.Finished, DateTime.UtcNow, new JobProgress(1, Phase: null), null, null, null, null));

        var lines = log.ToString().Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["pass 1/3: Reading the gallery (2,500)", "pass 2/3: Epochs (2,500)", "pass 3/3: Label transfer (2,500)"],
            lines.Where(l => l.StartsWith("pass ", StringComparison.Ordinal)));
        // The first report is printed with the pass's name and counts (once: not the job's too), the end of the job once.
        Assert.Contains("train:  0 % Reading the gallery 0 % 0/2,500", lines);
        Assert.Equal("train: 100 %", lines[^1]);
    }

    [Fact]
    public void Report_EpochStepsWithinTheEpochsPass_DescribeTheEpochNotThePass()
    {
        var log = new StringWriter();
        using var console = new ConsoleProgress("train", log, interactive: false);
        var step = new TrainingProgress(TrainingPhase.Step, 2, 5, 3, 4, 0.1234, null, 0.001, TimeSpan.FromSeconds(3), null)
        {
            PassProgress = new JobPhase("Epochs", 4, 9, 0.35, 7, 20),
        };

        console.Report(new JobEvent("job", JobKind.Training, JobEventType.Progress, DateTime.UtcNow,
            new JobProgress(0.3, 2, 5, "Epoch 2/5", Phase: step.PassProgress), step, null, null, null));

        Assert.Equal(["pass 4/9: Epochs (20)", "train: 30 % 2/5 epoch 2/5 loss 0.1234"],
            log.ToString().Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
    }
}
