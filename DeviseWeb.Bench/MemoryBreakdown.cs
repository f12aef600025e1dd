using DeviseWeb.Engine.Storage;

namespace DeviseWeb.Bench;

/// <summary>
/// Where a process's memory is, for the memory-growth figure: anonymous and file-backed resident bytes, the managed
/// heap, and LiteDB's page cache.
/// </summary>
public sealed record MemoryBreakdown(long Resident, long Anonymous, long FileBacked, long Managed, long ManagedCommitted, long LiteDbCachePages)
{
    public const int LiteDbPageSize = 8192;

    /// <summary>After a full, compacting collection.</summary>
    public static MemoryBreakdown Settled(DeviseDatabase database)
    {
        BenchMath.Settle();
        return new MemoryBreakdown(BenchMath.ResidentBytes(), BenchMath.StatusBytes("RssAnon:"), BenchMath.StatusBytes("RssFile:") + BenchMath.StatusBytes("RssShmem:"),
            GC.GetTotalMemory(forceFullCollection: false), GC.GetGCMemoryInfo().TotalCommittedBytes, database.CachePages);
    }

    public object Growth(MemoryBreakdown after) => new
    {
        rss_mb = BenchMath.Megabytes(after.Resident - Resident),
        anonymous_mb = BenchMath.Megabytes(after.Anonymous - Anonymous),
        file_backed_mb = BenchMath.Megabytes(after.FileBacked - FileBacked),
        managed_mb = BenchMath.Megabytes(after.Managed - Managed),
        managed_committed_mb = BenchMath.Megabytes(after.ManagedCommitted - ManagedCommitted),
        litedb_cache_mb = BenchMath.Megabytes((after.LiteDbCachePages - LiteDbCachePages) * LiteDbPageSize),
        litedb_cache_total_mb = BenchMath.Megabytes(after.LiteDbCachePages * LiteDbPageSize),
    };
}
