using System.Security.Claims;

namespace DeviseWeb.Accounts;

/// <summary>The claims a signed-in user carries: name, role and (for cookies) the security stamp they were issued under.</summary>
public static class AccountPrincipal
{
    public static ClaimsPrincipal Create(AccountInfo user, string scheme, string? stamp = null)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, user.Name), new(ClaimTypes.Role, user.Role.ToString()) };
        if (stamp is not null) claims.Add(new Claim(AuthSchemes.StampClaim, stamp));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    /// <summary>The user's name for the audit log; "anonymous" never happens behind the policies but keeps the log honest.</summary>
    public static string NameOf(ClaimsPrincipal? user) => user?.Identity?.IsAuthenticated == true ? user.Identity.Name ?? "unknown" : "anonymous";

    public static UserRole? RoleOf(ClaimsPrincipal? user) =>
        Enum.TryParse<UserRole>(user?.FindFirstValue(ClaimTypes.Role), out var role) ? role : null;
}
