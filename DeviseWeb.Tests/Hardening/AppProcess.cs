using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using DeviseWeb.Accounts;
using DeviseWeb.Tests.Infrastructure;
using DeviseWeb.Tests.Web.Integration;

namespace DeviseWeb.Tests.Hardening;

/// <summary>
/// The real app in a process of its own (<c>dotnet DeviseWeb.dll</c>, the web host's build output) on a free loopback
/// port over a given data directory, so its memory can be read from /proc as an operator would see it. An Admin with
/// an API key is added to the directory before it starts; <see cref="CreateClient"/> sends that key.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private const string StartedLine = "DeviseWeb is running at ";
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private AppProcess(Process process) => _process = process;

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The seeded Admin's API key.</summary>
    public string ApiKey { get; private set; } = "";

    public HttpClient CreateClient(TimeSpan timeout)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = timeout };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        return client;
    }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the app wrote, for failure messages.</summary>
    public string RecentOutput => string.Join('\n', _output.TakeLast(60));

    public static Task<AppProcess> StartAsync(string dataDirectory, TimeSpan timeout)
    {
        string dll = TestData.AppDll();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        return StartAsync(start, dataDirectory, timeout);
    }

    /// <summary>A published app's own executable, started from another directory as a service manager would.</summary>
    public static Task<AppProcess> StartExecutableAsync(string executable, string workingDirectory, string dataDirectory, TimeSpan timeout) =>
        StartAsync(new ProcessStartInfo(executable) { WorkingDirectory = workingDirectory }, dataDirectory, timeout);

    private static async Task<AppProcess> StartAsync(ProcessStartInfo start, string dataDirectory, TimeSpan timeout)
    {
        string apiKey = SeedAdmin(dataDirectory);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0"); // the OS picks a free port
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Devise__DataDirectory"] = dataDirectory;
        start.Environment["Devise__FirstStart"] = "false";
        start.Environment["Devise__SeedDirectory"] = Path.Combine(dataDirectory, "no-seed");
        start.Environment["Devise__VocabularyLimit"] = WebTestData.VocabularyLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Logging__LogLevel__Default"] = "Warning";

        var app = new AppProcess(Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start."));
        var started = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        app._process.OutputDataReceived += (_, e) => app.Heard(e.Data, started);
        app._process.ErrorDataReceived += (_, e) => app.Heard(e.Data, started);
        app._process.BeginOutputReadLine();
        app._process.BeginErrorReadLine();
        var exited = app._process.WaitForExitAsync();
        var first = await Task.WhenAny(started.Task, exited, Task.Delay(timeout));
        if (first != started.Task)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException($"The app did not start within {timeout.TotalSeconds} s:\n{app.RecentOutput}");
        }
        app.BaseAddress = await started.Task;
        app.ApiKey = apiKey;
        return app;
    }

    /// <summary>Adds an Admin (if there is none) and a new API key for it, straight into the data directory's accounts.db.</summary>
    private static string SeedAdmin(string dataDirectory)
    {
        using var database = new AccountsDatabase(dataDirectory);
        var users = new UserAccounts(database);
        if (users.Find("admin") is null) users.Add("admin", UserRole.Admin, DeviseWeb.Tests.Web.Integration.DeviseWebFactory.Password);
        return new ApiKeys(database, users).Create("admin").Secret;
    }

    /// <summary>The process's peak resident set (VmHWM), as the kernel counts it.</summary>
    public long PeakResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{Id}/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        throw new InvalidOperationException("No VmHWM in /proc status.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void Heard(string? line, TaskCompletionSource<Uri> started)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 200) _output.TryDequeue(out _);
        int at = line.IndexOf(StartedLine, StringComparison.Ordinal);
        if (at >= 0 && Uri.TryCreate(line[(at + StartedLine.Length)..].Split(' ')[0], UriKind.Absolute, out var address))
            started.TrySetResult(address);
    }
}
