using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using DeviseWeb.Services;
using Npgsql;

namespace DeviseWeb.Bench;

/// <summary>
/// PostgreSQL with pgvector for the bench: PGlite served by scripts/pglite/serve.sh on a free loopback port, its database
/// in a temporary folder. Disposing kills the server and deletes the folder, so a failed run leaves neither behind.
/// SIGTERM and SIGHUP end the bench without running its <c>using</c> blocks, so they kill the server too: busy in WASM,
/// it would go on alone, deaf to SIGTERM until its query ends (the folder may stay: the bench can end first).
/// </summary>
public sealed class PgliteProcess : IDisposable
{
    private static readonly TimeSpan StartGuard = TimeSpan.FromMinutes(3); // the first start installs the npm packages
    private const int OutputLines = 40;
    private readonly Process _process;
    private readonly string _dataDirectory;
    private readonly Queue<string> _output = new();
    private readonly PosixSignalRegistration[] _signals;
    private int _disposed;

    private PgliteProcess(Process process, string dataDirectory, int port)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        Port = port;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _signals = [PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Dispose()), PosixSignalRegistration.Create(PosixSignal.SIGHUP, _ => Dispose())];
    }

    public int Port { get; }

    /// <summary>Commands may run for an hour: an HNSW build or an exact scan in single-threaded WASM is slow.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=5;Command Timeout=3600";

    /// <summary>Starts the server and waits until it answers a query.</summary>
    public static async Task<PgliteProcess> StartAsync(CancellationToken cancellationToken)
    {
        string script = Path.Combine(DeviseWebOptions.RepositoryRoot() ?? throw new InvalidOperationException("DeviseWeb.sln not found above the current directory."),
            "scripts", "pglite", "serve.sh");
        string dataDirectory = Directory.CreateTempSubdirectory("devise-bench-pglite-").FullName;
        int port = FreePort();
        var start = new ProcessStartInfo("bash", [script, port.ToString(), dataDirectory]) { RedirectStandardOutput = true, RedirectStandardError = true };
        var server = new PgliteProcess(Process.Start(start) ?? throw new InvalidOperationException("bash did not start."), dataDirectory, port);
        try
        {
            await server.WaitUntilAnsweringAsync(cancellationToken);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>The server's last lines of output (for a failure's message).</summary>
    public string RecentOutput()
    {
        lock (_output) return string.Join('\n', _output);
    }

    private async Task WaitUntilAnsweringAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"pglite-server exited with {_process.ExitCode}:\n{RecentOutput()}");
            try
            {
                await using var source = NpgsqlDataSource.Create(ConnectionString);
                await using var command = source.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(cancellationToken);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException && clock.Elapsed < StartGuard)
            {
                await Task.Delay(200, cancellationToken);
            }
        }
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > OutputLines) _output.Dequeue();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        foreach (var signal in _signals) signal.Dispose();
        NpgsqlConnection.ClearAllPools();
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder left behind is harmless; the figures matter more than the tidy-up.
        }
    }
}
