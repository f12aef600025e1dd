using System.Reflection;
using LiteDB;

namespace DeviseWeb.Engine.Storage;

/// <summary>
/// Caps how many pages LiteDB keeps in memory for open transactions. LiteDB 5 lets one transaction grow to 100,000
/// dirty pages (800 MB) before it writes them to its log mid-transaction (a "safepoint", which keeps the transaction
/// atomic), and its page cache never gives memory back, so the largest transaction the process ever ran (a seal, a
/// catch-up batch, a bulk delete or relabel) sets its memory for good: 1,000 images in one transaction at 1M images
/// grew the process by about 100 MB. With the budget capped, a large transaction safepoints every few thousand pages
/// and the cache stays near the budget (the bench's memory-batched step at 1M: +101.6 MB uncapped, +31 MB capped at
/// 4,000 pages). LiteDB 5.0.21 has no setting for it: the budget is the transaction monitor's private pool of free
/// pages, shrunk once at open. If LiteDB's internals change, nothing is capped and
/// <see cref="Apply"/> says so (a test pins it).
/// </summary>
internal static class LiteDbMemoryCap
{
    /// <summary>LiteDB 5's pool for all open transactions together (Constants.MAX_TRANSACTION_SIZE).</summary>
    private const int LiteDbPool = 100_000;

    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic;

    /// <summary>Shrinks the pool to <paramref name="pages"/> pages (8 KB each); false when LiteDB's internals are not as expected.</summary>
    public static bool Apply(LiteDatabase database, int pages)
    {
        object? engine = Engine(database);
        object? monitor = engine?.GetType().GetField("_monitor", Instance)?.GetValue(engine);
        var free = monitor?.GetType().GetField("_freePages", Instance);
        var transactions = monitor?.GetType().GetField("_transactions", Instance)?.GetValue(monitor);
        if (monitor is null || free?.FieldType != typeof(int) || transactions is null) return false;
        lock (transactions) // the monitor's own lock over its pool
        {
            int now = (int)free.GetValue(monitor)!;
            int taken = LiteDbPool - now; // by transactions open right now: they give it back when they end
            free.SetValue(monitor, Math.Max(0, pages - taken));
        }
        return true;
    }

    /// <summary>Pages the page cache has allocated (MemoryCache.ExtendPages); -1 when LiteDB's internals are not as expected.</summary>
    public static long CachePages(LiteDatabase database)
    {
        object? engine = Engine(database);
        object? disk = engine?.GetType().GetField("_disk", Instance)?.GetValue(engine);
        object? cache = disk?.GetType().GetProperty("Cache", Instance | BindingFlags.Public)?.GetValue(disk);
        return cache?.GetType().GetProperty("ExtendPages", Instance | BindingFlags.Public)?.GetValue(cache) is int pages ? pages : -1;
    }

    private static object? Engine(LiteDatabase database) => typeof(LiteDatabase).GetField("_engine", Instance)?.GetValue(database);
}
