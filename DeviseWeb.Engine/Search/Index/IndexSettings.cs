namespace DeviseWeb.Engine.Search.Index;

/// <summary>Where the gallery's vectors live.</summary>
public enum IndexProvider
{
    /// <summary>Segment files in the data directory, searched in this process (the default).</summary>
    InProcess,

    /// <summary>Tables in a PostgreSQL database with the pgvector extension.</summary>
    Pgvector,
}

/// <summary>Settings of the vector index, bound from configuration section "Devise:Index".</summary>
public sealed class IndexSettings
{
    /// <summary>Default <see cref="IndexProvider.InProcess"/>.</summary>
    public IndexProvider Provider { get; set; } = IndexProvider.InProcess;

    /// <summary>The PostgreSQL connection string (Npgsql form: "Host=…;Port=…;Username=…;Password=…;Database=…"); Pgvector only.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The schema that holds this store's tables; give each data directory its own. Default "devise".</summary>
    public string Schema { get; set; } = "devise";

    /// <summary>Build an HNSW index on each table (approximate search); default false: exact search by a scan.</summary>
    public bool Hnsw { get; set; }

    /// <summary>HNSW candidates kept while searching (pgvector's hnsw.ef_search): more costs time and gains recall. Default 100.</summary>
    public int EfSearch { get; set; } = 100;

    /// <summary>Rows a write sends to PostgreSQL in one statement. Default 2,000.</summary>
    public int WriteBatchRows { get; set; } = 2_000;

    /// <summary>Seconds a PostgreSQL command may run before it fails. Default 60.</summary>
    public int CommandTimeoutSeconds { get; set; } = 60;
}
