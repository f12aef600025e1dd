using DeviseWeb.Engine.Text;
using DeviseWeb.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>A client that goes away mid-request: the engine's work stops with it, and the app logs no error for it.</summary>
public sealed class CancelledRequestTests : IAsyncLifetime
{
    private const string HostingCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";
    private readonly HookedDeviseWebFactory _app = new();

    public Task InitializeAsync() => ((IAsyncLifetime)_app).InitializeAsync();

    [Fact]
    public async Task Search_ClientGoesAwayWhileItsWordsAreEncoded_StopsTheSearchAndLogsNoError()
    {
        using var gate = new ManualResetEventSlim();
        var encoding = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        _app.Encoder.OnEncode = token =>
        {
            encoding.TrySetResult(token);
            WaitHandle.WaitAny([gate.WaitHandle, token.WaitHandle]); // held until the request's token fires
        };
        var client = _app.CreateClient();
        using var leave = new CancellationTokenSource();
        CancellationToken engineToken;
        try
        {
            var request = client.GetAsync("/api/search?q=a+lighthouse+at+night", leave.Token);
            engineToken = await encoding.Task.WaitAsync(Eventually.Guard);

            leave.Cancel();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
            await Eventually.UntilAsync(() => Finished("/api/search") is not null, "the server never finished the abandoned request");
        }
        finally { gate.Set(); }
        Assert.True(engineToken.IsCancellationRequested, "the engine was not given the request's token");
        Assert.Contains(" - 499 ", Finished("/api/search")!.Message, StringComparison.Ordinal);
        var errors = _app.Logs.Entries.Where(e => e.Level >= LogLevel.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e}\n{e.Exception}")));
    }

    private LogEntry? Finished(string path) =>
        _app.Logs.Entries.FirstOrDefault(e => e.Category == HostingCategory && e.Message.StartsWith("Request finished", StringComparison.Ordinal)
            && e.Message.Contains(path, StringComparison.Ordinal));

    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    /// <summary>The app with a text encoder a test can hold, and every log entry collected.</summary>
    private sealed class HookedDeviseWebFactory : DeviseWebFactory
    {
        public HookedTextEncoder Encoder { get; } = new(new MiniLmTextEncoder());

        public LogCollector Logs { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureLogging(logging =>
            {
                logging.AddProvider(Logs);
                logging.AddFilter<LogCollector>(null, LogLevel.Trace);
            });
            builder.ConfigureTestServices(services => services.AddSingleton<ITextEncoder>(_ => Encoder));
        }
    }
}
