namespace DeviseWeb.Security;

/// <summary>
/// Refuses with 403 what another site's page makes a browser send here: any state change (POST, PUT, PATCH, DELETE)
/// and any hub connection (SignalR negotiate and websocket, Blazor's circuit included) whose Origin is not this host,
/// or that the browser marks <c>Sec-Fetch-Site: cross-site</c> / <c>same-site</c>. Browsers always send Origin on
/// such requests, even <c>fetch(url, {mode: 'no-cors'})</c> and plain form posts; scripts and the CLI send neither
/// header and pass. It needs no sign-in, so it holds whatever authentication is in front of it.
/// </summary>
public sealed class CrossSiteRequestMiddleware(RequestDelegate next, ILogger<CrossSiteRequestMiddleware> logger)
{
    /// <summary>Paths where even a GET opens a connection that acts for the user: the job hub and Blazor's circuit hub.</summary>
    private static readonly PathString[] HubPaths = [new("/hubs"), new("/_blazor")];

    public Task InvokeAsync(HttpContext context)
    {
        if (!NeedsSameOrigin(context.Request) || IsSameOrigin(context.Request)) return next(context);
        logger.LogWarning("Refused a cross-site {Method} {Path} from origin {Origin}", context.Request.Method, context.Request.Path,
            context.Request.Headers.Origin.ToString());
        return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Cross-site request refused",
            detail: "This request came from another site's page; only this app's own pages may make it.").ExecuteAsync(context);
    }

    private static bool NeedsSameOrigin(HttpRequest request) =>
        !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method))
        || HubPaths.Any(p => request.Path.StartsWithSegments(p));

    /// <summary>True when the browser says the request is this site's own, or when no browser header says anything.</summary>
    public static bool IsSameOrigin(HttpRequest request)
    {
        string fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        // "none": the user typed or bookmarked it; no page asked for it.
        if (fetchSite.Length > 0 && fetchSite is not ("same-origin" or "none")) return false;
        string origin = request.Headers.Origin.ToString();
        return origin.Length == 0 || OriginMatchesHost(origin, request.Host);
    }

    /// <summary>
    /// The Origin's host and port against the Host header, a missing port taken as the Origin scheme's default:
    /// behind a TLS proxy the app sees http while the page's origin is https, with the same host.
    /// </summary>
    public static bool OriginMatchesHost(string origin, HostString host)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !host.HasValue) return false;
        int hostPort = host.Port ?? (uri.Scheme == "https" ? 443 : 80);
        return string.Equals(uri.IdnHost.Trim('[', ']'), host.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase) && uri.Port == hostPort;
    }
}
