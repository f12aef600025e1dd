namespace DeviseWeb.Security;

/// <summary>
/// Headers on every response that keep the pages from being framed, sniffed or fed foreign scripts. The policy fits
/// Blazor Server and MudBlazor: scripts and styles from this app only, inline style attributes (MudBlazor sets
/// them), the circuit's websocket back to this host, images from here or in memory (thumbnail previews are blobs).
/// </summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy(context.Request);
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        return next(context);
    }

    /// <summary>
    /// Websockets are named with this request's host: 'self' covers ws: only in newer browsers. The host has
    /// already passed host filtering, so it is one of the allowed names.
    /// </summary>
    public static string ContentSecurityPolicy(HttpRequest request) =>
        "default-src 'self'; " +
        "script-src 'self'; " +
        "style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data: blob:; " +
        "font-src 'self' data:; " +
        $"connect-src 'self' ws://{request.Host} wss://{request.Host}; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
}
