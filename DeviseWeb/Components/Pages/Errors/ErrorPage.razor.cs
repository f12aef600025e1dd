using System.Diagnostics;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Diagnostics;

namespace DeviseWeb.Components.Pages.Errors;

/// <summary>The exception handler's page for a failed request: friendly text and a request id for the logs, no stack trace.</summary>
public sealed partial class ErrorPage
{
    [CascadingParameter] private HttpContext? HttpContext { get; set; }

    private string? RequestId { get; set; }

    protected override void OnInitialized()
    {
        RequestId = Activity.Current?.Id ?? HttpContext?.TraceIdentifier;
        // Re-executed for a failed request: the page renders as any other would (200) unless told it reports a failure.
        if (HttpContext?.Features.Get<IExceptionHandlerFeature>() is not null) PageStatus.Set(HttpContext, StatusCodes.Status500InternalServerError);
    }
}
