using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeviseWeb.Engine.Training.Optimization;

/// <summary>
/// AdamW (Loshchilov and Hutter 2019: bias-corrected moments, weight decay apart from the gradient), computing what
/// torch.optim.AdamW computes, operation for operation, with every scalar made here and disposed after its call.
/// TorchSharp 0.107's own AdamW turns its doubles into Scalars implicitly and leaves them to the finaliser, which can
/// free one while a native call preempted after reading its handle still uses it: a job running below the requests'
/// priority is preempted for milliseconds at a time, and training then failed with "Unknown scalar type"
/// (TrainingUnderPreemptionTests). A <c>using</c> keeps each scalar reachable until its call has returned.
/// </summary>
internal sealed class AdamW : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _average, _squares;
    private readonly double _weightDecay, _beta2, _epsilon;
    private long _steps;

    public AdamW(IEnumerable<Parameter> parameters, double weightDecay, double beta2 = 0.999, double epsilon = 1e-8)
    {
        _parameters = [.. parameters];
        _average = [.. _parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
        _squares = [.. _parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
        (_weightDecay, _beta2, _epsilon) = (weightDecay, beta2, epsilon);
    }

    public void ZeroGrad()
    {
        foreach (var parameter in _parameters)
        {
            using var grad = parameter.grad;
            grad?.zero_();
        }
    }

    /// <summary>One update at this step's learning rate and first-moment decay (a one-cycle schedule moves both).</summary>
    public void Step(double learningRate, double beta1)
    {
        _steps++;
        double correction1 = 1 - Math.Pow(beta1, _steps), correction2 = 1 - Math.Pow(_beta2, _steps);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var decay = (1 - learningRate * _weightDecay).ToScalar();
        using var keepAverage = beta1.ToScalar();
        using var takeAverage = (1 - beta1).ToScalar();
        using var keepSquares = _beta2.ToScalar();
        using var takeSquares = (1 - _beta2).ToScalar();
        using var rootCorrection2 = Math.Sqrt(correction2).ToScalar();
        using var epsilon = _epsilon.ToScalar();
        using var stepSize = (-(learningRate / correction1)).ToScalar();
        using var one = 1.ToScalar();
        for (int i = 0; i < _parameters.Length; i++)
        {
            var parameter = _parameters[i];
            using var grad = parameter.grad;
            if (grad is null) continue;
            parameter.mul_(decay);
            _average[i].mul_(keepAverage).add_(grad, takeAverage);
            _squares[i].mul_(keepSquares).addcmul_(grad, grad, takeSquares);
            var denominator = _squares[i].sqrt().div_(rootCorrection2).add_(epsilon, one);
            parameter.addcdiv_(_average[i], denominator, stepSize);
        }
    }

    public void Dispose()
    {
        foreach (var tensor in _average.Concat(_squares)) tensor.Dispose();
    }
}
