using System.Globalization;
using System.Threading.RateLimiting;
using DeviseWeb.Services;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace DeviseWeb.Api;

/// <summary>What an endpoint costs, for the per-client limits: its requests count against that kind's budget.</summary>
public enum CostKind { Search, Training, Upload }

/// <summary>Endpoint metadata naming the per-client budget its requests count against.</summary>
public sealed record PerClientLimit(CostKind Kind);

/// <summary>
/// Two layers, both answering 429 with Retry-After: per client, a budget of requests per minute for each costly
/// kind (search, training and activation, uploads), so one client cannot starve the rest; and per endpoint,
/// concurrency limits on those that decode images (uploads, image queries): a few run, a few more wait their
/// turn, and the rest are refused at once, so a burst cannot pile up decodes and memory.
/// </summary>
public static class ApiRateLimits
{
    public const string Uploads = "uploads";
    public const string ImageQueries = "image-queries";

    public static IServiceCollection AddDeviseRateLimits(this IServiceCollection services) =>
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(PerClient);
            o.AddPolicy(Uploads, context => Concurrency(Uploads, context, limits => (limits.UploadConcurrency, limits.UploadQueue)));
            o.AddPolicy(ImageQueries, context => Concurrency(ImageQueries, context, limits => (limits.ImageQueryConcurrency, limits.ImageQueryQueue)));
            o.OnRejected = OnRejectedAsync;
        });

    /// <summary>Counts the endpoints' requests against the client's per-minute budget for that kind.</summary>
    public static TBuilder WithPerClientLimit<TBuilder>(this TBuilder builder, CostKind kind) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new PerClientLimit(kind));

    /// <summary>
    /// Who a request's budget belongs to: the signed-in user (cookie or API key), so teammates behind one proxy or
    /// NAT keep their own budgets; else the remote address (the real client's behind a trusted reverse proxy, see
    /// ReverseProxyOptions). The rate limiter runs after authentication for this.
    /// </summary>
    public static string ClientPartitionKey(HttpContext context) =>
        context.User.Identity is { IsAuthenticated: true, Name: { } name }
            ? "user:" + name
            : "address:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    private static RateLimitPartition<string> PerClient(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<PerClientLimit>() is not { } limit) return RateLimitPartition.GetNoLimiter("");
        var limits = Limits(context);
        int perMinute = limit.Kind switch
        {
            CostKind.Search => limits.SearchesPerMinute,
            CostKind.Training => limits.TrainingRequestsPerMinute,
            CostKind.Upload => limits.UploadsPerMinute,
            _ => throw new ArgumentOutOfRangeException(nameof(context), limit.Kind, null),
        };
        return RateLimitPartition.GetFixedWindowLimiter($"{limit.Kind}:{ClientPartitionKey(context)}", _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0,
        });
    }

    /// <summary>One limiter per policy (a constant partition key), sized from the options when it is first needed.</summary>
    private static RateLimitPartition<string> Concurrency(string name, HttpContext context, Func<RequestLimitsOptions, (int Permits, int Queue)> size)
    {
        var (permits, queue) = size(Limits(context));
        return RateLimitPartition.GetConcurrencyLimiter(name, _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = permits, QueueLimit = queue, QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    private static async ValueTask OnRejectedAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        int seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : Limits(context.HttpContext).RetryAfterSeconds;
        context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
            detail: $"Too many requests like this one right now; try again in {seconds} s.").ExecuteAsync(context.HttpContext);
    }

    private static RequestLimitsOptions Limits(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<RequestLimitsOptions>>().Value;
}
