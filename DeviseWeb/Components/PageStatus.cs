namespace DeviseWeb.Components;

/// <summary>
/// The HTTP status of a page's first response. A page is rendered once on the server into that response (prerendering,
/// where the request is at hand) and then again interactively, where there is no response left to set; so a page
/// says "bad request" or "not found" here and keeps showing its own friendly content either way.
/// </summary>
public static class PageStatus
{
    public static void Set(HttpContext? context, int statusCode)
    {
        if (context is { Response.HasStarted: false }) context.Response.StatusCode = statusCode;
    }
}
