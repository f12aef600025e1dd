using System.Security.Claims;
using DeviseWeb.Accounts;

namespace DeviseWeb.Audit;

/// <summary>
/// Who changed what, and when: uploads, deletes, relabels, training, cancels, activations, users, keys and public
/// links, kept in accounts.db and shown to Admins. The newest <see cref="MaxEntries"/> are kept.
/// </summary>
public sealed class AuditLog(AccountsDatabase database, ILogger<AuditLog> logger)
{
    public const int MaxEntries = 100_000;
    private const int TrimEvery = 1_000;

    public void Record(ClaimsPrincipal? user, string action, string detail = "") => Record(AccountPrincipal.NameOf(user), action, detail);

    public void Record(string user, string action, string detail = "")
    {
        var entry = new AuditDocument { At = DateTime.UtcNow, User = user, Action = action, Detail = detail };
        int id = database.Audit.Insert(entry).AsInt32;
        logger.LogInformation("Audit: {User} {Action} {Detail}", user, action, detail);
        if (id % TrimEvery == 0) database.Audit.DeleteMany(a => a.Id <= id - MaxEntries);
    }

    /// <summary>The newest entries first.</summary>
    public IReadOnlyList<AuditEntry> Recent(int take = 200) =>
        database.Audit.Query().OrderByDescending(a => a.Id).Limit(take).ToList()
            .Select(a => new AuditEntry(a.At, a.User, a.Action, a.Detail)).ToList();
}
