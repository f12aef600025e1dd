using DeviseWeb.Engine.Jobs;

namespace DeviseWeb.Tests.Jobs;

public sealed class PhasedProgressTests
{
    private readonly List<JobProgress> _reports = [];

    private PhasedProgress Passes(CancellationToken cancellationToken = default, TimeProvider? time = null, params (string, double)[] passes) =>
        new(passes.Length == 0 ? [("Reading", 1), ("Epochs", 6), ("Writing", 3)] : passes, _reports.Add, cancellationToken, time);

    [Fact]
    public void Fraction_EveryPassRun_OnlyMovesForwardAndEndsAtExactlyOne()
    {
        var progress = Passes(passes: [("Reading", 0.1), ("Targets", 0), ("Epochs", 0.7), ("Embedding", 0.2), ("Writing", 1e-9)]);

        foreach (var name in new[] { "Reading", "Targets", "Epochs", "Embedding", "Writing" })
        {
            var pass = progress.Begin(name, 7);
            for (int done = 1; done <= 7; done += 2) pass.Report(done);
            pass.Report(3); // a count that goes back is held where it was
            pass.Complete();
        }

        var fractions = _reports.Select(r => r.Fraction).ToList();
        Assert.Equal(fractions.Order(), fractions);
        Assert.Equal(1.0, fractions[^1]);
        Assert.Equal(1.0, progress.Fraction);
        Assert.Equal([1, 2, 3, 4, 5], _reports.Select(r => r.Phase!.Number).Distinct());
        Assert.All(_reports, r => Assert.Equal(5, r.Phase!.Count));
        Assert.All(_reports.GroupBy(r => r.Phase!.Number), pass =>
        {
            Assert.Equal(0, pass.First().Phase!.Fraction); // reported as it begins
            Assert.Equal(1, pass.Last().Phase!.Fraction);
            Assert.Equal(pass.Select(r => r.Phase!.Done), pass.Select(r => r.Phase!.Done).Order());
        });
    }

    [Fact]
    public void Fraction_RandomWorkEstimates_EndsAtExactlyOneWhenTheLastPassCompletes()
    {
        // Shares that add up to 1 only to within rounding must still end the bar at 1, not at 0.9999999999999999.
        var random = new Random(23);
        for (int trial = 0; trial < 2000; trial++)
        {
            var passes = Enumerable.Range(0, random.Next(1, 12))
                .Select(i => ($"pass {i}", random.Next(4) == 0 ? 0 : Math.Pow(10, random.NextDouble() * 12 - 3))).ToList();
            var progress = new PhasedProgress(passes, _ => { }, default);

            foreach (var (name, _) in passes) progress.Begin(name, random.Next(0, 5)).Complete();

            Assert.True(progress.Fraction == 1.0, $"trial {trial}: {progress.Fraction:R} over {string.Join(", ", passes.Select(p => p.Item2))}");
        }
    }

    [Fact]
    public void Fraction_WeightlessPass_StillMovesTheBar()
    {
        var progress = Passes(passes: [("Targets", 0), ("Epochs", 1000)]);

        progress.Begin("Targets", 1).Complete();

        Assert.InRange(progress.Fraction, 1e-4, 0.01);
    }

    [Fact]
    public void Fraction_PassesWeightedByTheirWork()
    {
        var progress = Passes();

        progress.Begin("Reading", 10).Complete();
        var epochs = progress.Begin("Epochs", 4);
        epochs.Report(2);

        Assert.Equal(0.1 + 0.6 * 0.5, progress.Fraction, 12);
        Assert.Equal(0.5, _reports[^1].Phase!.Fraction);
        Assert.Equal((2, 4), (_reports[^1].Phase!.Done, _reports[^1].Phase!.Total));
        Assert.Equal((2, 4), (_reports[^1].Done, _reports[^1].Total));
        Assert.Equal("Epochs (2/3)", _reports[^1].Message);
    }

    [Fact]
    public void Begin_PassBeforeTheCurrentOne_ThrowsNamingBoth()
    {
        var progress = Passes();
        progress.Begin("Epochs", 1);

        var error = Assert.Throws<InvalidOperationException>(() => progress.Begin("Reading", 1));
        var again = Assert.Throws<InvalidOperationException>(() => progress.Begin("Epochs", 1));
        var unknown = Assert.Throws<InvalidOperationException>(() => progress.Begin("Dreaming", 1));

        Assert.Contains("'Reading'", error.Message);
        Assert.Contains("'Epochs'", error.Message);
        Assert.Contains("'Epochs'", again.Message);
        Assert.Contains("'Dreaming'", unknown.Message);
    }

    [Fact]
    public void Begin_PassLeftOut_IsSkippedAndTheNextStartsAtItsOwnPlace()
    {
        var progress = Passes();

        progress.Begin("Reading", 1).Complete();
        var writing = progress.Begin("Writing", 2);

        Assert.Equal(0.7, progress.Fraction, 12); // where the epochs would have ended
        Assert.DoesNotContain(_reports, r => r.Phase!.Name == "Epochs");
        Assert.Equal((3, 3), (_reports[^1].Phase!.Number, _reports[^1].Phase!.Count));
        writing.Complete();
        Assert.Equal(1.0, progress.Fraction);
    }

    [Fact]
    public void Report_PassThatIsOver_Throws()
    {
        var progress = Passes();
        var reading = progress.Begin("Reading", 5);
        progress.Begin("Epochs", 5);

        Assert.Throws<InvalidOperationException>(() => reading.Report(5));
    }

    [Fact]
    public void Report_AfterACancel_PublishesThenThrowsButCompleteDoesNot()
    {
        using var cancellation = new CancellationTokenSource();
        var progress = Passes(cancellation.Token);
        var reading = progress.Begin("Reading", 4);

        cancellation.Cancel();

        Assert.Throws<OperationCanceledException>(() => reading.Report(2));
        Assert.Equal(2, _reports[^1].Phase!.Done); // heard before it threw
        reading.Complete();
        Assert.Equal(1, _reports[^1].Phase!.Fraction);
        Assert.Throws<OperationCanceledException>(() => progress.Begin("Epochs", 4));
        Assert.DoesNotContain(_reports, r => r.Phase!.Name == "Epochs");
    }

    [Fact]
    public void Begin_ListenerCancelsOnHearingThePassBegin_ThrowsThere()
    {
        using var cancellation = new CancellationTokenSource();
        var progress = new PhasedProgress([("Reading", 1), ("Epochs", 1)], p =>
        {
            if (p.Phase!.Name == "Epochs") cancellation.Cancel();
        }, cancellation.Token);
        progress.Begin("Reading", 1).Complete();

        Assert.Throws<OperationCanceledException>(() => progress.Begin("Epochs", 10));
    }

    [Fact]
    public void Remaining_FromTheInjectedClock_ForThePassAndTheJob()
    {
        var clock = new ManualClock();
        var progress = Passes(time: clock, passes: [("Reading", 1), ("Epochs", 3)]);

        var reading = progress.Begin("Reading", 100);
        var atStart = _reports[^1];
        clock.Advance(TimeSpan.FromSeconds(10));
        reading.Report(25);
        var quarter = _reports[^1];
        clock.Advance(TimeSpan.FromSeconds(30));
        reading.Complete();
        var done = _reports[^1];

        Assert.Null(atStart.Phase!.Remaining); // nothing measured yet
        Assert.Null(atStart.Remaining);
        Assert.Equal(TimeSpan.FromSeconds(10), quarter.Phase!.Elapsed);
        Assert.Equal(TimeSpan.FromSeconds(30), quarter.Phase.Remaining); // a quarter in 10 s: 30 s left of the pass
        Assert.Equal(TimeSpan.FromSeconds(10), quarter.Elapsed);
        Assert.Equal(TimeSpan.FromSeconds(10 * (1 - 0.0625) / 0.0625), quarter.Remaining!.Value); // a sixteenth of the job done
        Assert.Equal(TimeSpan.Zero, done.Phase!.Remaining);
        Assert.Equal(TimeSpan.FromSeconds(40), done.Phase.Elapsed);
        Assert.Equal(TimeSpan.FromSeconds(120), done.Remaining!.Value); // a quarter of the job in 40 s
    }

    [Fact]
    public void Constructor_NoPassesOrBadWork_Throws()
    {
        Assert.Throws<ArgumentException>(() => new PhasedProgress([], _ => { }, default));
        Assert.Throws<ArgumentException>(() => new PhasedProgress([("Reading", -1)], _ => { }, default));
        Assert.Throws<ArgumentException>(() => new PhasedProgress([("Reading", double.NaN)], _ => { }, default));
        Assert.Throws<ArgumentException>(() => new PhasedProgress([("Reading", double.PositiveInfinity)], _ => { }, default));
    }

    /// <summary>A clock that moves only when told.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
