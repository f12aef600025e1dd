using System.Security.Cryptography;

namespace DeviseWeb.Security;

/// <summary>
/// Headers on every response that keep the pages from being framed, sniffed or fed foreign scripts. The policy fits
/// Blazor Server and MudBlazor: scripts and styles from this app only, inline style attributes (MudBlazor sets
/// them), the circuit's websocket back to this host, images from here or in memory (thumbnail previews are blobs).
/// The one inline script, Blazor's import map, carries this response's nonce (<see cref="ScriptNonce"/>).
/// </summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    private static readonly object NonceKey = new();

    public Task InvokeAsync(HttpContext context)
    {
        // Hex, not base64: Razor writes a '+' in an attribute as "&#x2B;", which made the page's nonce differ in text.
        string nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        context.Items[NonceKey] = nonce;
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy(context.Request, nonce);
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        return next(context);
    }

    /// <summary>The nonce an inline script in this response must carry to run.</summary>
    public static string? ScriptNonce(HttpContext context) => context.Items[NonceKey] as string;

    /// <summary>
    /// Websockets are named with this request's host: 'self' covers ws: only in newer browsers. The host has
    /// already passed host filtering, so it is one of the allowed names.
    /// </summary>
    public static string ContentSecurityPolicy(HttpRequest request, string nonce) =>
        "default-src 'self'; " +
        $"script-src 'self' 'nonce-{nonce}'; " +
        "style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data: blob:; " +
        "font-src 'self' data:; " +
        $"connect-src 'self' ws://{request.Host} wss://{request.Host}; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
}
