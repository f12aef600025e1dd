using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Pgvector.Npgsql;

namespace DeviseWeb.Engine.Search.Index.Pgvector;

/// <summary>
/// One PostgreSQL database with pgvector, holding a store's vector tables in one schema (<see cref="IndexSettings.Schema"/>).
/// Connects on first use, not when built, so the app starts while PostgreSQL is down and says so per request. Every
/// call goes through <see cref="Run{T}"/>: a connection that fails, is refused or times out becomes an
/// <see cref="IndexUnavailableException"/> naming the server (503), while an SQL error stays what it is (a bug).
/// </summary>
public sealed class PgvectorDatabase : IDisposable
{
    private const string StagePrefix = "stage_";
    private readonly IndexSettings _settings;
    private readonly Lock _lock = new();
    private NpgsqlDataSource? _source;

    public PgvectorDatabase(IndexSettings settings)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(settings.ConnectionString);
        _settings = settings;
        var builder = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
        Server = $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}";
        Schema = settings.Schema;
    }

    /// <summary>Names the server in messages: "host:port/database".</summary>
    public string Server { get; }

    public string Schema { get; }

    public IndexSettings Settings => _settings;

    /// <summary>
    /// The table of a vector column: its name made safe, plus a hash of the exact name (two names that differ only in
    /// characters the table name drops stay apart). Quoted and schema-qualified.
    /// </summary>
    public string TableOf(string column) => Qualified(TableNameOf(column));

    internal static string TableNameOf(string column)
    {
        var safe = new string(column.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(column)))[..8];
        return $"v_{safe[..Math.Min(safe.Length, 40)]}_{hash}";
    }

    /// <summary>A new table name for a column written whole before its commit (a new model version's embeddings).</summary>
    internal static string NewStageName() => $"{StagePrefix}{Guid.NewGuid():N}";

    internal string Qualified(string table) => $"\"{Schema}\".\"{table}\"";

    /// <summary>Runs <paramref name="body"/> with the data source; unreachable PostgreSQL becomes <see cref="IndexUnavailableException"/>.</summary>
    public T Run<T>(string what, Func<NpgsqlDataSource, T> body)
    {
        try
        {
            return body(Source());
        }
        catch (Exception e) when (IsUnreachable(e))
        {
            throw new IndexUnavailableException($"The vector index (PostgreSQL at {Server}) is unreachable while {what}: {Reason(e)}", e);
        }
    }

    public void Run(string what, Action<NpgsqlDataSource> body) => Run(what, source => { body(source); return 0; });

    /// <summary>Answers when PostgreSQL does (a health check, a write's first step); throws <see cref="IndexUnavailableException"/> when not.</summary>
    public void Ping() => Run("checking the connection", source =>
    {
        using var command = source.CreateCommand("SELECT 1");
        command.CommandTimeout = Math.Min(_settings.CommandTimeoutSeconds, 10);
        command.ExecuteScalar();
    });

    /// <summary>Tables of this schema (vector columns and stages left by a crash).</summary>
    public IReadOnlyList<string> Tables() => Run("listing tables", source =>
    {
        using var command = source.CreateCommand("SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename");
        command.Parameters.AddWithValue(Schema);
        using var reader = command.ExecuteReader();
        var tables = new List<string>();
        while (reader.Read()) tables.Add(reader.GetString(0));
        return (IReadOnlyList<string>)tables;
    });

    internal static bool IsStage(string table) => table.StartsWith(StagePrefix, StringComparison.Ordinal);

    public void DropTable(string table) => Execute($"DROP TABLE IF EXISTS {Qualified(table)}", $"dropping {table}");

    /// <summary>Runs one statement, parameters in order.</summary>
    internal int Execute(string sql, string what, params object[] parameters) => Run(what, source =>
    {
        using var command = Command(source, sql, parameters);
        return command.ExecuteNonQuery();
    });

    internal NpgsqlCommand Command(NpgsqlDataSource source, string sql, params object[] parameters)
    {
        var command = source.CreateCommand(sql);
        command.CommandTimeout = _settings.CommandTimeoutSeconds;
        foreach (var parameter in parameters) command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        return command;
    }

    internal NpgsqlBatch Batch(NpgsqlDataSource source)
    {
        var batch = source.CreateBatch();
        batch.Timeout = _settings.CommandTimeoutSeconds;
        return batch;
    }

    /// <summary>
    /// The data source, built on first use: the extension and the schema are created with a plain connection first,
    /// because the vector type has to exist when a source that maps it loads the database's types.
    /// </summary>
    private NpgsqlDataSource Source()
    {
        lock (_lock)
        {
            if (_source is not null) return _source;
            using (var plain = NpgsqlDataSource.Create(_settings.ConnectionString!))
            using (var command = plain.CreateCommand($"CREATE EXTENSION IF NOT EXISTS vector; CREATE SCHEMA IF NOT EXISTS \"{Schema}\""))
            {
                command.CommandTimeout = _settings.CommandTimeoutSeconds;
                command.ExecuteNonQuery();
            }
            var builder = new NpgsqlDataSourceBuilder(_settings.ConnectionString);
            builder.UseVector();
            return _source = builder.Build();
        }
    }

    /// <summary>
    /// The server is down, refused, went away or did not answer in time. SQL errors (a missing table, a bad value)
    /// are not: they say something is wrong here, and stay what they are.
    /// </summary>
    internal static bool IsUnreachable(Exception e) => e switch
    {
        PostgresException p => p.SqlState.StartsWith("08", StringComparison.Ordinal) // connection exceptions
            || p.SqlState is "57P01" or "57P02" or "57P03" or "53300", // shut down, crash, starting up, too many connections
        NpgsqlException => true, // I/O on the connection, a timeout, a refused connect
        SocketException or TimeoutException or IOException => true,
        InvalidOperationException when e.InnerException is { } inner => IsUnreachable(inner),
        _ => false,
    };

    private static string Reason(Exception e)
    {
        var innermost = e;
        while (innermost.InnerException is not null) innermost = innermost.InnerException;
        return innermost.Message;
    }

    public void Dispose()
    {
        lock (_lock) _source?.Dispose();
    }
}
