using Microsoft.AspNetCore.Authentication;

namespace DeviseWeb.Accounts;

/// <summary>Starts a signed-in browser session: the persistent cookie with the user's name, role and security stamp.</summary>
public static class CookieSession
{
    public static Task StartAsync(HttpContext context, UserAccounts users, AccountInfo user) =>
        context.SignInAsync(AuthSchemes.Cookie, AccountPrincipal.Create(user, AuthSchemes.Cookie, users.StampOf(user.Name)),
            new AuthenticationProperties { IsPersistent = true });
}
