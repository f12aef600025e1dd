using Microsoft.AspNetCore.Authorization;

namespace DeviseWeb.Accounts;

/// <summary>
/// The one table of who may do what. Endpoints, pages and the hub name a policy; the roles that satisfy it are
/// listed here and nowhere else (the tests check every cell).
/// </summary>
public static class AccessPolicies
{
    /// <summary>Browse, search, reference photos, share links, the job hub.</summary>
    public const string View = "view";

    /// <summary>Change the gallery, train, cancel, activate, make public links.</summary>
    public const string Edit = "edit";

    /// <summary>Users, API keys, the audit log.</summary>
    public const string Administer = "administer";

    public static readonly IReadOnlyDictionary<string, IReadOnlyList<UserRole>> Table = new Dictionary<string, IReadOnlyList<UserRole>>
    {
        [View] = [UserRole.Viewer, UserRole.Editor, UserRole.Admin],
        [Edit] = [UserRole.Editor, UserRole.Admin],
        [Administer] = [UserRole.Admin],
    };

    public static bool Allows(string policy, UserRole role) => Table[policy].Contains(role);

    public static void AddTo(AuthorizationOptions options)
    {
        foreach (var (name, roles) in Table)
            options.AddPolicy(name, p => p.RequireAuthenticatedUser().RequireRole(roles.Select(r => r.ToString())));
        // An endpoint that names no policy still needs a signed-in user; pages and endpoints open to all say so.
        options.FallbackPolicy = options.GetPolicy(View);
    }
}
