using DeviseWeb.Cli;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Cli;

/// <summary>Errors mapped once: the engine's typed errors to exit 1 with their message, usage to 2, cancellation to 130.</summary>
public sealed class CliErrorTests : IDisposable
{
    private readonly string _data = TestData.NewTemporaryDirectory("cli-errors");

    [Fact]
    public async Task Delete_UnknownId_Exit1NamingIt()
    {
        var run = await CliRunner.RunAsync("delete", "999999", "--data", _data);

        Assert.Equal(CliCommands.Failed, run.ExitCode);
        Assert.Equal("error: No image with id 999999.", run.Errors.Trim());
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task Search_NoTrainedModel_Exit1SayingToTrain()
    {
        var run = await CliRunner.RunAsync("search", "sea", "--data", _data);

        Assert.Equal(CliCommands.Failed, run.ExitCode);
        Assert.StartsWith("error: No trained model yet", run.Errors);
    }

    [Fact]
    public async Task Status_DataDirectoryInUse_Exit1NamingTheHolderAndTheServerOption()
    {
        using (DataDirectoryLock.Acquire(_data))
        {
            var run = await CliRunner.RunAsync("status", "--data", _data);

            Assert.Equal(CliCommands.Failed, run.ExitCode);
            Assert.Contains($"is in use by process {Environment.ProcessId}", run.Errors);
            Assert.Contains("--server URL", run.Errors);
            Assert.DoesNotContain("   at ", run.Errors); // the message, not a stack trace
        }
    }

    [Fact]
    public async Task Search_UnknownOption_Exit2BeforeOpeningTheStore()
    {
        var run = await CliRunner.RunAsync("search", "sea", "--kk", "3", "--data", _data);

        Assert.Equal(CliCommands.Usage, run.ExitCode);
        Assert.Contains("Unknown option --kk for 'search'.", run.Errors);
        Assert.False(File.Exists(Path.Combine(_data, "devise.db")));
    }

    [Fact]
    public async Task Help_AnyVerbWithHelpFlag_PrintsEveryVerbAndExits0()
    {
        var run = await CliRunner.RunAsync("delete", "--help");

        Assert.Equal(CliCommands.Done, run.ExitCode);
        Assert.All(CliCommands.Verbs.Where(v => v is not ("help" or "--help")), verb => Assert.Contains($"  {verb} ", run.Output));
    }

    [Fact]
    public async Task Delete_IdNotANumber_Exit2()
    {
        var run = await CliRunner.RunAsync("delete", "12", "twelve", "--data", _data);

        Assert.Equal(CliCommands.Usage, run.ExitCode);
        Assert.Contains("'delete' expects image ids, got 'twelve'.", run.Errors);
    }

    [Fact]
    public async Task Import_CancelledWhileRunning_Exit130AndTheJobIsCancelled()
    {
        string dataset = TestData.CopySubset(["coin", "flower"]);
        using var cancel = new CancellationTokenSource();
        // Cancel as soon as the job reports its first progress: the import is under way, far from done.
        var errors = new TriggerWriter("import:", cancel.Cancel);

        var run = await CliRunner.RunAsync(["import", dataset, "--data", _data], errors, cancel.Token);
        var jobs = await CliRunner.RunAsync("jobs", "--json", "--data", _data);

        Assert.Equal(CliCommands.Cancelled, run.ExitCode);
        Assert.EndsWith("cancelled", run.Errors.Trim());
        var job = Assert.Single(jobs.Json().EnumerateArray());
        Assert.Equal("Cancelled", job.GetProperty("state").GetString());
        Directory.Delete(dataset, recursive: true);
    }

    public void Dispose()
    {
        try { Directory.Delete(_data, recursive: true); }
        catch (IOException) { }
    }

    /// <summary>A StringWriter that runs an action the first time a line containing a marker is written.</summary>
    private sealed class TriggerWriter(string marker, Action trigger) : StringWriter
    {
        private int _fired;

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.Contains(marker, StringComparison.Ordinal) == true && Interlocked.Exchange(ref _fired, 1) == 0) trigger();
        }
    }
}
