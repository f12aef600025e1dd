using DeviseWeb.Accounts;
using DeviseWeb.Engine;
using OpenTelemetry.Metrics;

namespace DeviseWeb.Health;

/// <summary>
/// <c>GET /metrics</c>: Prometheus text (OpenTelemetry's exporter) for an Admin or a scraper holding an Admin's API key.
/// ASP.NET Core's own instruments give request rates and latency by route and status
/// (<c>http_server_request_duration_seconds</c>) and connections; the engine's (<see cref="EngineMetrics"/>) give job
/// durations, the gallery's size, and the vectors searches scan with their bytes.
/// </summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static IServiceCollection AddDeviseMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", EngineMetrics.MeterName)
            .AddPrometheusExporter());
        return services;
    }

    public static void MapDeviseMetrics(this WebApplication app)
    {
        app.Services.GetRequiredService<EngineMetrics>(); // its job subscription starts with the app, not with the first scrape
        app.MapPrometheusScrapingEndpoint(Path).WithMetadata(new HttpMethodMetadata(["GET"])).RequireAuthorization(AccessPolicies.Administer);
    }
}
