using System.Threading.Channels;
using DeviseWeb.Engine.Jobs;
using Microsoft.AspNetCore.SignalR;

namespace DeviseWeb.Hubs;

/// <summary>
/// Subscribes once to the <see cref="JobQueue"/> and forwards every event to all hub clients, in order: the
/// queue's callback only queues (it runs on the job's thread), one loop awaits each send.
/// </summary>
public sealed class JobHubBroadcaster(JobQueue jobs, IHubContext<JobHub> hub, ILogger<JobHubBroadcaster> logger) : BackgroundService
{
    private readonly Channel<JobEvent> _queue = Channel.CreateUnbounded<JobEvent>(new UnboundedChannelOptions { SingleReader = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = jobs.Subscribe(e => _queue.Writer.TryWrite(e));
        try
        {
            await foreach (var jobEvent in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                try { await hub.Clients.All.SendAsync(JobHub.EventMethod, jobEvent, stoppingToken); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Could not broadcast {Type} of job {JobId}", jobEvent.Type, jobEvent.JobId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }
}
