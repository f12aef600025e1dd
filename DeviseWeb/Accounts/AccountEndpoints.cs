using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;

namespace DeviseWeb.Accounts;

/// <summary>Sign-out, a form post from the user menu (sign-in and the first Admin's setup are pages).</summary>
public static class AccountEndpoints
{
    public const string SignOutPath = "/account/signout";

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(SignOutPath, async (HttpContext context) =>
        {
            await context.SignOutAsync(AuthSchemes.Cookie);
            return Results.LocalRedirect("/signin");
        }).AllowAnonymous().WithMetadata(new RequireAntiforgeryTokenAttribute()).ExcludeFromDescription();
        return endpoints;
    }
}
