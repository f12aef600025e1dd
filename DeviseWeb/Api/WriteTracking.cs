using DeviseWeb.Services;

namespace DeviseWeb.Api;

public static class WriteTracking
{
    /// <summary>
    /// Counts the endpoints' requests as gallery writes that shutdown waits for (<see cref="WriteDrainService"/>);
    /// once shutdown has begun they answer 503 instead of starting.
    /// </summary>
    public static TBuilder TrackAsWrites<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var writes = context.HttpContext.RequestServices.GetRequiredService<InFlightWrites>();
            if (!writes.TryEnter(out var entry))
            {
                context.HttpContext.Response.Headers.RetryAfter = "10";
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Shutting down",
                    detail: "The app is shutting down; try again once it is back.");
            }
            using (entry) return await next(context);
        });
}
