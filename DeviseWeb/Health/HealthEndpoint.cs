using System.Text.Json;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Storage;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DeviseWeb.Health;

/// <summary>
/// <c>GET /healthz</c> for a load balancer or systemd, no sign-in needed: the store (open and taking writes), the
/// model (a version active: searches answer), the job queue (its worker running), the vector index (PostgreSQL answers,
/// when the vectors live there). 200 while healthy or degraded (no
/// model yet: the app serves, searches say to train first), 503 when unhealthy; the body names each check.
/// </summary>
public static class HealthEndpoint
{
    public const string Path = "/healthz";

    public static IServiceCollection AddDeviseHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store")
            .AddCheck<ModelHealthCheck>("model")
            .AddCheck<JobQueueHealthCheck>("jobs")
            .AddCheck<IndexHealthCheck>("index");
        return services;
    }

    public static void MapDeviseHealthChecks(this WebApplication app) =>
        app.MapHealthChecks(Path, new HealthCheckOptions { ResponseWriter = WriteAsync }).WithMetadata(new HttpMethodMetadata(["GET", "HEAD"]))
            .AllowAnonymous().DisableRateLimiting();

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }));
    }
}

/// <summary>Unhealthy once a write failed in a way LiteDB cannot roll back: the store refuses writes until a restart.</summary>
public sealed class StoreHealthCheck(DeviseDatabase database) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(database.Fault is { } fault
            ? HealthCheckResult.Unhealthy($"The store refuses writes until a restart: {fault.Message}")
            : HealthCheckResult.Healthy("open"));
}

/// <summary>Unhealthy when the vectors' service (PostgreSQL with pgvector) does not answer; in process, always healthy.</summary>
public sealed class IndexHealthCheck(VectorIndexes indexes) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) => Task.Run(() =>
    {
        try
        {
            indexes.EnsureAvailable();
            return HealthCheckResult.Healthy(indexes.Location);
        }
        catch (DeviseWeb.Engine.IndexUnavailableException e)
        {
            return HealthCheckResult.Unhealthy(e.Message);
        }
    }, cancellationToken);
}

/// <summary>Degraded while no version is active (the app serves, searches answer 409 until one is trained).</summary>
public sealed class ModelHealthCheck(ModelService models) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(models.ActiveModelId is { } id
            ? HealthCheckResult.Healthy($"version {id} active, {models.IndexedCount:N0} images indexed")
            : HealthCheckResult.Degraded("no model version yet: train one"));
}

/// <summary>Unhealthy when the job worker has stopped: imports, training and activations would wait forever.</summary>
public sealed class JobQueueHealthCheck(IEnumerable<IHostedService> hosted) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var worker = hosted.OfType<JobWorker>().SingleOrDefault();
        return Task.FromResult(worker?.ExecuteTask switch
        {
            null => HealthCheckResult.Unhealthy("the job worker has not started"),
            { IsCompleted: true } task => HealthCheckResult.Unhealthy($"the job worker stopped ({task.Status})"),
            _ => HealthCheckResult.Healthy("running"),
        });
    }
}
