using Microsoft.Extensions.Options;

namespace DeviseWeb.Services;

/// <summary>
/// On shutdown, refuses new gallery writes and waits for those in flight, so the engine is never disposed under an
/// upload: each image is committed in one transaction, and this makes sure that transaction ends (committed or rolled
/// back) before the database closes. The server has already drained or aborted the requests by then; an aborted
/// upload is cancelled and ends within moments, which <see cref="RequestLimitsOptions.WriteDrainGrace"/> allows for.
/// </summary>
public sealed class WriteDrainService(InFlightWrites writes, IOptions<RequestLimitsOptions> limits, ILogger<WriteDrainService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        writes.Close();
        if (writes.Count == 0) return;
        logger.LogInformation("Waiting for {Count} gallery write(s) in flight before shutting down", writes.Count);
        try
        {
            await writes.WhenIdleAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) { }
        // The shutdown timeout has passed: the writes still running were cancelled with their requests.
        using var grace = new CancellationTokenSource(limits.Value.WriteDrainGrace);
        try { await writes.WhenIdleAsync(grace.Token).ConfigureAwait(false); }
        catch (OperationCanceledException)
        {
            logger.LogError("{Count} gallery write(s) still running after the shutdown grace; closing the database under them", writes.Count);
        }
    }
}
