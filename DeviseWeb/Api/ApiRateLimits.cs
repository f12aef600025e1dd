using System.Globalization;
using System.Threading.RateLimiting;
using DeviseWeb.Services;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace DeviseWeb.Api;

/// <summary>
/// Concurrency limits on the endpoints that decode images (uploads, image queries): a few run, a few more wait
/// their turn, and the rest get 429 with Retry-After at once, so a burst cannot pile up decodes and memory.
/// </summary>
public static class ApiRateLimits
{
    public const string Uploads = "uploads";
    public const string ImageQueries = "image-queries";

    public static IServiceCollection AddDeviseRateLimits(this IServiceCollection services) =>
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(Uploads, context => Concurrency(Uploads, context, limits => (limits.UploadConcurrency, limits.UploadQueue)));
            o.AddPolicy(ImageQueries, context => Concurrency(ImageQueries, context, limits => (limits.ImageQueryConcurrency, limits.ImageQueryQueue)));
            o.OnRejected = OnRejectedAsync;
        });

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
            ? (int)Math.Ceiling(retryAfter.TotalSeconds)
            : Limits(context.HttpContext).RetryAfterSeconds;
        context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
            detail: $"The server is busy with other requests like this one; try again in {seconds} s.").ExecuteAsync(context.HttpContext);
    }

    private static RequestLimitsOptions Limits(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<RequestLimitsOptions>>().Value;
}
