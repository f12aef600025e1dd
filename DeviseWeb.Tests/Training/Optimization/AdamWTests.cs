using DeviseWeb.Engine.Training.Optimization;
using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;

namespace DeviseWeb.Tests.Training.Optimization;

/// <summary>
/// The engine's AdamW and one-cycle schedule against TorchSharp's own (torch.optim.AdamW with OneCycleLR, which training
/// used before): the same learning rate and β₁ to the bit, and the same weights after every step. Weights agree to a
/// few units in the last place, not to the bit: libtorch's CPU kernels on this machine already differ that much
/// between two identical runs in one process (two of the engine's optimizers side by side do too), while a slip in the
/// update (a missing bias correction, the decay applied to the gradient) moves weights by far more than the tolerance.
/// </summary>
public sealed class AdamWTests
{
    [Theory]
    [InlineData(40, 2e-3)]
    [InlineData(7, 0.5)]
    [InlineData(1, 1e-2)]
    public void Step_WithTheSchedule_GivesTorchSharpsWeights(int steps, double maxRate)
    {
        const double decay = 1e-2;
        var ours = Network();
        var theirs = Network();
        using var optimizer = new AdamW(ours, decay);
        var schedule = new OneCycleSchedule(maxRate, steps);
        using var reference = optim.AdamW(theirs, lr: maxRate, weight_decay: decay);
        var referenceSchedule = optim.lr_scheduler.OneCycleLR(reference, maxRate, total_steps: steps);

        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var (rate, beta1) = schedule.At(step);
            Assert.Equal(reference.ParamGroups.First().LearningRate, rate);
            Assert.Equal(((TorchSharp.Modules.AdamW.ParamGroup)reference.ParamGroups.First()).Betas.Item1, beta1);

            optimizer.ZeroGrad();
            Loss(ours, step).backward();
            optimizer.Step(rate, beta1);
            reference.zero_grad();
            Loss(theirs, step).backward();
            reference.step();
            referenceSchedule.step();

            foreach (var (mine, theirsParameter) in ours.Zip(theirs))
                Assert.All(mine.data<float>().ToArray().Zip(theirsParameter.data<float>().ToArray()), pair => Assert.Equal(pair.Second, pair.First, 1e-5f));
        }
    }

    [Fact]
    public void At_AStepOutsideTheRun_IsRefused()
    {
        var schedule = new OneCycleSchedule(1e-3, 10);

        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.At(10));
        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.At(-1));
    }

    [Fact]
    public void At_RisesToTheMaximumThenFallsFarBelowTheStart()
    {
        var schedule = new OneCycleSchedule(1e-2, 100);
        var rates = Enumerable.Range(0, 100).Select(s => schedule.At(s).LearningRate).ToArray();

        Assert.Equal(1e-2 / 25, rates[0], 12);
        Assert.Equal(1e-2, rates.Max(), 12);
        Assert.InRange(Array.IndexOf(rates, rates.Max()), 28, 30);
        Assert.Equal(1e-2 / 25 / 1e4, rates[^1], 12);
        Assert.Equal(0.95, schedule.At(0).Beta1, 12);
    }

    /// <summary>
    /// A two-layer network's parameters with fixed starting values: made without torch's process-wide generator, which
    /// a module's initialisation would draw from while a seeded training run in a test beside this one uses it.
    /// </summary>
    private static Parameter[] Network() =>
        [Fixed([5, 6], 0.1), Fixed([5], 0.2), Fixed([3, 5], 0.3), Fixed([3], 0.4)];

    private static Parameter Fixed(long[] shape, double phase)
    {
        int count = (int)shape.Aggregate(1L, (a, b) => a * b);
        return new Parameter(tensor(Enumerable.Range(0, count).Select(i => (float)(0.4 * Math.Sin(i * 1.7 + phase))).ToArray(), shape));
    }

    /// <summary>A different batch every step, the same for both networks.</summary>
    private static Tensor Loss(Parameter[] network, int step)
    {
        var input = tensor(Enumerable.Range(0, 24).Select(i => (float)Math.Sin(i * 0.7 + step)).ToArray(), [4, 6]);
        var target = tensor(Enumerable.Range(0, 12).Select(i => (float)Math.Cos(i * 1.3 + step)).ToArray(), [4, 3]);
        var hidden = nn.functional.relu(nn.functional.linear(input, network[0], network[1]));
        return nn.functional.mse_loss(nn.functional.linear(hidden, network[2], network[3]), target);
    }
}
