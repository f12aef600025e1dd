using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace DeviseWeb.Api;

/// <summary>
/// 415 for a JSON endpoint sent anything but JSON: a body, or even an empty one labelled text/plain or as a form,
/// is refused before the endpoint runs, so nothing a browser can post cross-site without a preflight (text/plain,
/// urlencoded, multipart) ever reaches a handler that reads its body by hand or binds none. A request with no body
/// and no content type (a script's POST /api/jobs/{id}/cancel) still passes; cross-site ones are stopped by
/// <see cref="Security.CrossSiteRequestMiddleware"/>.
/// </summary>
public sealed class JsonBodyRequirementMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (context.GetEndpoint()?.Metadata.GetMetadata<BodyLimit>() is { Kind: BodyLimitKind.Json or BodyLimitKind.Batch }
            && !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
            && (HasBody(context) || !string.IsNullOrEmpty(request.ContentType)) && !IsJson(request.ContentType))
        {
            await UnsupportedMediaType(request).ExecuteAsync(context);
            return;
        }
        await next(context);
        // Endpoints that declare a JSON body are refused by the router itself, with an empty 415; give it the same reason.
        if (context.Response is { StatusCode: StatusCodes.Status415UnsupportedMediaType, HasStarted: false }
            && request.Path.StartsWithSegments("/api"))
            await UnsupportedMediaType($"This endpoint does not read '{request.ContentType ?? "no content type"}'; "
                + "send Content-Type: application/json (see /openapi/v1.json).").ExecuteAsync(context);
    }

    private static IResult UnsupportedMediaType(HttpRequest request) =>
        UnsupportedMediaType($"This endpoint reads JSON: send Content-Type: application/json (got '{request.ContentType ?? "none"}').");

    private static IResult UnsupportedMediaType(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: detail);

    private static bool HasBody(HttpContext context) =>
        context.Request.ContentLength > 0
        || context.Request.ContentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true;

    public static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.MediaType.Value?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) == true);
}
