using Microsoft.AspNetCore.Components.Authorization;

namespace DeviseWeb.Audit;

/// <summary>
/// The audit log for a page's changes: records them under the circuit's signed-in user (scoped per circuit).
/// Pages call it without awaiting from inside their background work, so it logs its own failures.
/// </summary>
public sealed class UserAudit(AuditLog log, AuthenticationStateProvider authentication, ILogger<UserAudit> logger)
{
    public async Task RecordAsync(string action, string detail = "")
    {
        try
        {
            var state = await authentication.GetAuthenticationStateAsync().ConfigureAwait(false);
            log.Record(state.User, action, detail);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Could not record '{Action} {Detail}' in the audit log", action, detail);
        }
    }
}
