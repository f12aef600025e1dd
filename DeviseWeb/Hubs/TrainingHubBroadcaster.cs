using System.Threading.Channels;
using DeviseWeb.Engine.Training;
using Microsoft.AspNetCore.SignalR;

namespace DeviseWeb.Hubs;

/// <summary>
/// Subscribes once to the <see cref="TrainingJobRunner"/> and forwards every event to all hub clients, in order:
/// the runner's callback only queues (it runs on the training thread), one loop awaits each send.
/// </summary>
public sealed class TrainingHubBroadcaster(
    TrainingJobRunner runner,
    IHubContext<TrainingHub> hub,
    ILogger<TrainingHubBroadcaster> logger) : BackgroundService
{
    private readonly Channel<TrainingJobEvent> _queue = Channel.CreateUnbounded<TrainingJobEvent>(new UnboundedChannelOptions { SingleReader = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = runner.Subscribe(e => _queue.Writer.TryWrite(e));
        try
        {
            await foreach (var trainingEvent in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                try { await hub.Clients.All.SendAsync(TrainingHub.EventMethod, trainingEvent, stoppingToken); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Could not broadcast training event {Kind} of job {JobId}", trainingEvent.Kind, trainingEvent.JobId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }
}
