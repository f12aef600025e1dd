using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace DeviseWeb.Accounts;

/// <summary>
/// The sign-in cookie's rules: pages redirect to sign-in (or to the first Admin's setup on an empty data
/// directory), while the API and the hub answer 401/403 as a script expects; a cookie whose user was removed, or
/// whose password or role changed since it was issued, is refused at its next request.
/// </summary>
public static class CookieEvents
{
    public static CookieAuthenticationEvents Create() => new()
    {
        OnRedirectToLogin = context =>
        {
            if (IsMachineFacing(context.Request)) context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            else if (context.HttpContext.RequestServices.GetRequiredService<FirstAdminSetup>().IsNeeded) context.Response.Redirect(FirstAdminSetup.Path);
            else context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        },
        OnRedirectToAccessDenied = context =>
        {
            if (IsMachineFacing(context.Request)) context.Response.StatusCode = StatusCodes.Status403Forbidden;
            else context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        },
        OnValidatePrincipal = async context =>
        {
            string? name = context.Principal?.Identity?.Name;
            string? stamp = context.Principal?.FindFirst(AuthSchemes.StampClaim)?.Value;
            var users = context.HttpContext.RequestServices.GetRequiredService<UserAccounts>();
            if (name is null || stamp is null || users.StampOf(name) != stamp)
            {
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(AuthSchemes.Cookie);
            }
        },
    };

    public static bool IsMachineFacing(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/hubs") || request.Path.StartsWithSegments("/openapi")
        || request.Path.StartsWithSegments(Health.MetricsEndpoint.Path);
}
