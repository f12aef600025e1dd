using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DeviseWeb.Engine.Search.Index;
using Npgsql;

namespace DeviseWeb.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL with pgvector for the tests: PGlite from npm (scripts/pglite/serve.sh installs it), served over
/// the wire protocol on a free loopback port, keeping its database in a folder so a restart finds it again. Never
/// skipped: a server that does not start fails the tests that need it. Each test takes a schema of its own.
/// </summary>
public sealed class PgliteServer : IAsyncLifetime
{
    private static readonly TimeSpan StartGuard = TimeSpan.FromMinutes(3); // the first start installs the npm packages
    private readonly string _dataDirectory = TestData.NewTemporaryDirectory("pglite");
    private Process? _process;
    private int _schemas;

    public int Port { get; private set; }

    public string ConnectionString =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=5;Command Timeout=120;Maximum Pool Size=8";

    /// <summary>Settings for a provider over this server, in a schema no other test uses.</summary>
    public IndexSettings NewSettings(bool hnsw = false) => new()
    {
        Provider = IndexProvider.Pgvector,
        ConnectionString = ConnectionString,
        Schema = $"t{Environment.ProcessId}_{Interlocked.Increment(ref _schemas)}",
        Hnsw = hnsw,
    };

    /// <summary>Tables in the settings' schema.</summary>
    public static List<string> Tables(IndexSettings settings)
    {
        using var database = new DeviseWeb.Engine.Search.Index.Pgvector.PgvectorDatabase(settings);
        return [.. database.Tables()];
    }

    /// <summary>The one table of the schema whose name holds <paramref name="part"/> (a column's: "features", "model_3_").</summary>
    public static string Table(IndexSettings settings, string part) => Tables(settings).Single(t => t.Contains(part, StringComparison.Ordinal));

    public static int RowCount(IndexSettings settings, string table) =>
        (int)Scalar(settings, $"SELECT count(*)::integer FROM \"{settings.Schema}\".\"{table}\"")!;

    /// <summary>Runs one statement straight on the server, as a crash or an operator would leave the tables.</summary>
    public static object? Scalar(IndexSettings settings, string sql)
    {
        using var source = NpgsqlDataSource.Create(settings.ConnectionString!);
        using var command = source.CreateCommand(sql);
        return command.ExecuteScalar();
    }

    public async Task InitializeAsync()
    {
        Port = FreePort();
        await StartAsync();
    }

    /// <summary>Starts the server on its port (again after <see cref="Stop"/>) and waits until it answers a query.</summary>
    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(TestData.RepositoryRoot, "scripts", "pglite", "serve.sh"), Port.ToString(), _dataDirectory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
        var output = new System.Text.StringBuilder();
        _process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"pglite-server exited with {_process.ExitCode}:\n{Locked(output)}");
            try
            {
                await using var source = NpgsqlDataSource.Create(ConnectionString);
                await using var command = source.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync();
                return;
            }
            catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException && clock.Elapsed < StartGuard)
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>Stops the server (SIGTERM, so its database folder is left whole for <see cref="StartAsync"/>): to a client, a server gone.</summary>
    public void Stop()
    {
        if (_process is null) return;
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString()])) term.WaitForExit();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(20))) _process.Kill(entireProcessTree: true);
        }
        _process.WaitForExit();
        _process.Dispose();
        _process = null;
        NpgsqlConnection.ClearAllPools();
    }

    public Task DisposeAsync()
    {
        Stop();
        TemplateData.DeleteQuietly(_dataDirectory);
        return Task.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Locked(System.Text.StringBuilder output)
    {
        lock (output) return output.ToString();
    }
}

/// <summary>One PGlite server for every test that needs PostgreSQL (it runs one query at a time, so they share it in turn).</summary>
[CollectionDefinition(Name)]
public sealed class PgliteCollection : ICollectionFixture<PgliteServer>
{
    public const string Name = "PostgreSQL (PGlite)";
}
