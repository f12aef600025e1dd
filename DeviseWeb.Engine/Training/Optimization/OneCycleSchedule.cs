namespace DeviseWeb.Engine.Training.Optimization;

/// <summary>
/// The one-cycle policy (Smith and Topin 2018) as torch.optim.lr_scheduler.OneCycleLR sets it with its defaults: over
/// the first 30 % of the steps the learning rate rises from max/25 to max while Adam's β₁ falls from 0.95 to 0.85, then
/// the rate falls to max/25/10⁴ and β₁ rises back, both along cosines. Same expressions, so the same doubles.
/// </summary>
internal sealed class OneCycleSchedule(double maxLearningRate, int totalSteps)
{
    private const double RisingShare = 0.3, StartDivisor = 25, FinalDivisor = 1e4, LowBeta1 = 0.85, HighBeta1 = 0.95;

    /// <summary>The learning rate and β₁ of a step, counted from 0.</summary>
    public (double LearningRate, double Beta1) At(int step)
    {
        if (step < 0 || step >= totalSteps) throw new ArgumentOutOfRangeException(nameof(step), step, $"A step of the {totalSteps}.");
        double initial = maxLearningRate / StartDivisor, minimum = initial / FinalDivisor;
        double peak = RisingShare * totalSteps - 1, last = totalSteps - 1;
        if (step <= peak)
        {
            double rising = (step - 0.0) / (peak - 0.0);
            return (Anneal(initial, maxLearningRate, rising), Anneal(HighBeta1, LowBeta1, rising));
        }
        double falling = (step - peak) / (last - peak);
        return (Anneal(maxLearningRate, minimum, falling), Anneal(LowBeta1, HighBeta1, falling));
    }

    private static double Anneal(double start, double end, double share) => end + (start - end) / 2.0 * (Math.Cos(Math.PI * share) + 1);
}
