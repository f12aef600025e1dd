using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace DeviseWeb.Accounts;

/// <summary><c>Authorization: Bearer &lt;key&gt;</c>: the key's user, looked up on every request (a revoked key fails at once).</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeys keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string BearerPrefix = "Bearer ";

    /// <summary>True when the request carries a Bearer token (the scheme selector's test).</summary>
    public static bool HasBearer(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase);

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!HasBearer(Request)) return Task.FromResult(AuthenticateResult.NoResult());
        string secret = Request.Headers.Authorization.ToString()[BearerPrefix.Length..].Trim();
        var user = keys.Authenticate(secret);
        if (user is null) return Task.FromResult(AuthenticateResult.Fail("Unknown or revoked API key."));
        var principal = AccountPrincipal.Create(user, Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append(HeaderNames.WWWAuthenticate, "Bearer");
        return Task.CompletedTask;
    }
}
