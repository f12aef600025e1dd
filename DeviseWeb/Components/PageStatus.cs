namespace DeviseWeb.Components;

/// <summary>
/// The HTTP status of a page's first response. A page is rendered once on the server into that response (prerendering,
/// where the request is at hand) and then again interactively, where there is no response left to set. The status is
/// applied as the response starts rather than at once: Blazor treats a 404 seen during rendering as "swap in the
/// generic not-found page", and the page's own message ("Image 42 not found") should show on the first load too.
/// </summary>
public static class PageStatus
{
    public static void Set(HttpContext? context, int statusCode)
    {
        if (context is not { Response.HasStarted: false }) return;
        var response = context.Response;
        response.OnStarting(() =>
        {
            response.StatusCode = statusCode;
            return Task.CompletedTask;
        });
    }
}
