using DeviseWeb.Accounts;
using DeviseWeb.Engine.Jobs;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace DeviseWeb.Hubs;

/// <summary>
/// Live jobs for any client (a script, another UI): connect to <see cref="Path"/> and listen for
/// <see cref="EventMethod"/> (payload: <see cref="JobEvent"/>, enums as strings): Queued, Started, Progress/Epoch…,
/// then Finished, Failed, Cancelled or Interrupted. Call GetActive() or GetRecent() to (re)attach after a reconnect.
/// </summary>
[Authorize(Policy = AccessPolicies.View)]
public sealed class JobHub(JobQueue jobs) : Hub
{
    public const string Path = "/hubs/jobs";
    public const string EventMethod = "JobEvent";
    private const int RecentCount = 20;

    /// <summary>The running job, else the oldest queued one; null when idle.</summary>
    public JobInfo? GetActive() => jobs.Active;

    /// <summary>The newest jobs first, live ones with their latest progress.</summary>
    public IReadOnlyList<JobInfo> GetRecent() => jobs.Recent(RecentCount);
}
