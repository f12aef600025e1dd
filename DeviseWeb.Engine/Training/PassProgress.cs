namespace DeviseWeb.Engine.Training;

/// <summary>
/// Numbers the training passes of one run (the model's head, a self-training round, the photo evaluation's head) so
/// the progress covers the whole run: a pass's estimate of the time left counts each pass still to come as long as
/// itself, and a pass's elapsed time starts where the previous one ended.
/// </summary>
public sealed class PassProgress(IProgress<TrainingProgress>? inner, int passes)
{
    private int _started;
    private TimeSpan _before, _last;

    public int Passes => passes;

    /// <summary>The progress of the next pass; <paramref name="photoEvaluation"/> marks the photo evaluation's passes.</summary>
    public IProgress<TrainingProgress>? Next(bool photoEvaluation)
    {
        int pass = ++_started;
        _before += _last;
        _last = TimeSpan.Zero;
        if (inner is null) return null;
        var before = _before;
        return new SynchronousProgress<TrainingProgress>(p =>
        {
            _last = p.Elapsed;
            var remaining = p.Remaining is { } left ? left + (p.Elapsed + left) * Math.Max(0, passes - pass) : p.Remaining;
            inner.Report(p with { Pass = pass, Passes = Math.Max(passes, pass), PhotoEvaluation = photoEvaluation, Elapsed = before + p.Elapsed, Remaining = remaining });
        });
    }
}
