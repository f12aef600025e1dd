namespace DeviseWeb.Accounts;

/// <summary>How a request proves who sent it: a sign-in cookie (people) or an API key (scripts).</summary>
public static class AuthSchemes
{
    /// <summary>The default: picks <see cref="ApiKey"/> when the request carries a Bearer token, else <see cref="Cookie"/>.</summary>
    public const string Selector = "Devise";
    public const string Cookie = "Cookies";
    public const string ApiKey = "ApiKey";

    /// <summary>The claim holding the user's security stamp, checked on every cookie request.</summary>
    public const string StampClaim = "devise:stamp";
}
