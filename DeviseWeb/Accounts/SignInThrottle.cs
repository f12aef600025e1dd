using System.Collections.Concurrent;
using DeviseWeb.Services;
using Microsoft.Extensions.Options;

namespace DeviseWeb.Accounts;

/// <summary>
/// Slows password guessing: past <see cref="RequestLimitsOptions.FailedSignInsPerMinute"/> failed sign-ins in a
/// minute for one user name, or <see cref="RequestLimitsOptions.FailedSignInsPerAddressPerMinute"/> from one client
/// address, further attempts for it are refused until the oldest failure leaves the window. Successful sign-ins cost nothing, so a team behind one address is not locked out by
/// its own use.
/// </summary>
public sealed class SignInThrottle(IOptions<RequestLimitsOptions> limits)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private const int MaxTrackedKeys = 10_000;
    private readonly ConcurrentDictionary<string, Queue<DateTime>> _failures = new(StringComparer.Ordinal);

    /// <summary>How long until an attempt for this name from this address may be made; null when it may now.</summary>
    public TimeSpan? RetryAfter(string? address, string userName)
    {
        var now = DateTime.UtcNow;
        TimeSpan? wait = null;
        foreach (var key in KeysOf(address, userName))
        {
            if (!_failures.TryGetValue(key, out var times)) continue;
            int allowed = key.StartsWith("user:", StringComparison.Ordinal)
                ? limits.Value.FailedSignInsPerMinute
                : limits.Value.FailedSignInsPerAddressPerMinute;
            lock (times)
            {
                Expire(times, now);
                if (times.Count >= allowed)
                {
                    var until = times.Peek() + Window - now;
                    if (wait is null || until > wait) wait = until;
                }
            }
        }
        return wait;
    }

    public void Failed(string? address, string userName)
    {
        var now = DateTime.UtcNow;
        if (_failures.Count > MaxTrackedKeys) Prune(now);
        foreach (var key in KeysOf(address, userName))
        {
            var times = _failures.GetOrAdd(key, _ => new Queue<DateTime>());
            lock (times)
            {
                Expire(times, now);
                times.Enqueue(now);
            }
        }
    }

    private static IEnumerable<string> KeysOf(string? address, string userName) =>
        ["address:" + (address ?? "unknown"), "user:" + UserKey(userName)];

    /// <summary>The name as accounts compare it; an invalid one (which never signs in) still counts, cut short.</summary>
    private static string UserKey(string userName)
    {
        string key = userName.Trim().ToLowerInvariant();
        return key.Length <= 256 ? key : key[..256];
    }

    private static void Expire(Queue<DateTime> times, DateTime now)
    {
        while (times.Count > 0 && now - times.Peek() >= Window) times.Dequeue();
    }

    private void Prune(DateTime now)
    {
        foreach (var (key, times) in _failures)
        {
            lock (times)
            {
                Expire(times, now);
                if (times.Count == 0) _failures.TryRemove(key, out _);
            }
        }
    }
}
