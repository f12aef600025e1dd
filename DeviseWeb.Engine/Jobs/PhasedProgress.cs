using System.Diagnostics;

namespace DeviseWeb.Engine.Jobs;

/// <summary>
/// Progress of a job that runs several passes in order (training: the epochs, embedding the gallery, label transfer,
/// …). Each pass is weighted up front by its estimated work, and the job's fraction is the weighted share done, so it
/// only moves forward and reaches the passes in order; each pass also reports its own fraction, counts and time left.
/// A pass reports once per block of its work through <see cref="Pass.Report"/>, which then checks the job's
/// cancellation token: progress and cancellation happen at the same points, so a pass that reports at least once a
/// second also stops within a second of a cancel. Used from the job's own thread, one pass at a time.
/// </summary>
public sealed class PhasedProgress
{
    private readonly string[] _names;
    private readonly double[] _start, _share; // each pass's place on the job's 0–1 scale
    private readonly Action<JobProgress> _report;
    private readonly TimeProvider _time;
    private readonly long _started;
    private int _current = -1;
    private double _fraction;

    /// <param name="passes">Every pass the job will run, in order, each with its estimated work (any unit, at least 0).</param>
    /// <param name="report">Hears every report, on the reporting thread.</param>
    public PhasedProgress(IReadOnlyList<(string Name, double Work)> passes, Action<JobProgress> report, CancellationToken cancellationToken,
        TimeProvider? time = null)
    {
        if (passes.Count == 0) throw new ArgumentException("A job has at least one pass.", nameof(passes));
        if (passes.Any(p => !(p.Work >= 0) || double.IsInfinity(p.Work))) throw new ArgumentException("Work is finite and at least 0.", nameof(passes));
        _names = passes.Select(p => p.Name).ToArray();
        double total = passes.Sum(p => p.Work);
        // Weightless passes (or all of them) still get a sliver, so each one visibly moves the bar.
        var weights = passes.Select(p => total > 0 ? Math.Max(p.Work / total, 1e-3) : 1.0).ToArray();
        double sum = weights.Sum();
        _share = weights.Select(w => w / sum).ToArray();
        _start = new double[_share.Length];
        for (int i = 1; i < _share.Length; i++) _start[i] = _start[i - 1] + _share[i - 1];
        _report = report;
        CancellationToken = cancellationToken;
        _time = time ?? TimeProvider.System;
        _started = _time.GetTimestamp();
    }

    public CancellationToken CancellationToken { get; }

    /// <summary>How far the whole job is, 0–1.</summary>
    public double Fraction => _fraction;

    /// <summary>
    /// Starts a pass of the plan, reported at once (done 0 of <paramref name="total"/>), after checking for a cancel.
    /// Passes start in the plan's order; one left out (its method off) is passed over.
    /// </summary>
    public Pass Begin(string name, long total)
    {
        int index = Array.IndexOf(_names, name);
        if (index < 0) throw new InvalidOperationException($"'{name}' is not a pass of this job ({string.Join(", ", _names)}).");
        if (index <= _current) throw new InvalidOperationException($"The pass '{name}' comes before the pass '{_names[_current]}'.");
        CancellationToken.ThrowIfCancellationRequested();
        _current = index;
        var pass = new Pass(this, index, Math.Max(0, total));
        pass.Report(0); // a listener that cancels on hearing the pass begin stops it here
        return pass;
    }

    private void Publish(Pass pass, long done, double passFraction)
    {
        // The last pass's end is the job's: 1 exactly, which the shares' sum reaches only to within rounding.
        bool last = pass.Index == _names.Length - 1 && passFraction >= 1;
        _fraction = Math.Max(_fraction, last ? 1 : Math.Min(1, _start[pass.Index] + _share[pass.Index] * passFraction));
        var elapsed = _time.GetElapsedTime(_started);
        var passElapsed = _time.GetElapsedTime(pass.Started);
        var phase = new JobPhase(_names[pass.Index], pass.Index + 1, _names.Length, passFraction, done, pass.Total, passElapsed, Remaining(passElapsed, passFraction));
        _report(new JobProgress(_fraction, (int)Math.Min(int.MaxValue, done), (int)Math.Min(int.MaxValue, pass.Total),
            $"{phase.Name} ({phase.Number}/{phase.Count})", elapsed, Remaining(elapsed, _fraction), phase));
    }

    private static TimeSpan? Remaining(TimeSpan elapsed, double fraction) =>
        fraction is > 0 and < 1 ? TimeSpan.FromSeconds(elapsed.TotalSeconds * (1 - fraction) / fraction) : fraction >= 1 ? TimeSpan.Zero : null;

    /// <summary>One pass under way: report blocks of its work as they finish.</summary>
    public sealed class Pass
    {
        private readonly PhasedProgress _owner;
        private long _done;

        internal Pass(PhasedProgress owner, int index, long total)
        {
            _owner = owner;
            Index = index;
            Total = total;
            Started = owner._time.GetTimestamp();
        }

        internal int Index { get; }

        internal long Started { get; }

        public string Name => _owner._names[Index];

        /// <summary>Units of work in the pass (rows, steps, files).</summary>
        public long Total { get; }

        public CancellationToken CancellationToken => _owner.CancellationToken;

        /// <summary>
        /// <paramref name="done"/> of <see cref="Total"/> units are done (it never goes back), reported; then throws
        /// <see cref="OperationCanceledException"/> if the job was cancelled meanwhile (or by a listener just now).
        /// </summary>
        public void Report(long done)
        {
            Publish(done);
            CancellationToken.ThrowIfCancellationRequested();
        }

        /// <summary>
        /// Reports the pass done, and never throws for a cancel: what comes next checks. So a pass that has committed
        /// its work (the new version saved) reports its end without claiming it was cancelled.
        /// </summary>
        public void Complete() => Publish(Math.Max(Total, 1));

        private void Publish(long done)
        {
            if (_owner._current != Index) throw new InvalidOperationException($"The pass '{Name}' is over.");
            _done = Math.Clamp(done, _done, Total);
            _owner.Publish(this, _done, Total == 0 ? (done > 0 ? 1 : 0) : _done / (double)Total);
        }
    }
}
