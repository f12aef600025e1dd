using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.AspNetCore.Components.Web;

namespace DeviseWeb.Components;

/// <summary>The document: every page is interactive (Blazor Server) except the static error page.</summary>
public sealed partial class App
{
    [CascadingParameter] private HttpContext HttpContext { get; set; } = default!;

    private string? ScriptNonce => Security.SecurityHeadersMiddleware.ScriptNonce(HttpContext);

    private IComponentRenderMode? PageRenderMode =>
        HttpContext.AcceptsInteractiveRouting() ? RenderMode.InteractiveServer : null;
}
