namespace DeviseWeb.Components;

/// <summary>
/// The HTTP status of a page's first response. A page is rendered once on the server into that response (prerendering,
/// where the request is at hand) and then again interactively, where there is no response left to set. With 400 the
/// page keeps showing its own friendly content; with 404 Blazor answers with the app's not-found page instead (the
/// router's NotFoundPage, through the status-code re-execution), and the interactive render shows the page's own.
/// </summary>
public static class PageStatus
{
    public static void Set(HttpContext? context, int statusCode)
    {
        if (context is { Response.HasStarted: false }) context.Response.StatusCode = statusCode;
    }
}
