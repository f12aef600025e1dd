using DeviseWeb.Tests.Infrastructure;
using DeviseWeb.Tests.Web.Integration;

namespace DeviseWeb.Tests.Cli;

/// <summary>
/// Every verb with an API counterpart, run on the store and through the running app with <c>--server</c>: the same
/// output and the same exit code (elapsed times and file locations aside).
/// </summary>
[Collection(CliServerCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)]
public sealed class CliServerTests(CliServerFixture both)
{
    private async Task<(CliRun Local, CliRun Remote)> AssertSameAsync(params string[] args)
    {
        var (local, remote) = await both.BothAsync(args);
        Assert.True(local.ExitCode == remote.ExitCode, $"local:\n{local}\nremote:\n{remote}");
        Assert.Equal(both.Normalised(local.Output), both.Normalised(remote.Output));
        return (local, remote);
    }

    [Theory]
    [InlineData("search", "cat")]
    [InlineData("search", "a small boat, on the sea", "--k", "7", "--json")]
    [InlineData("search", "dog", "--min-score", "0.3")]
    [InlineData("similar", "3", "--k", "5")]
    [InlineData("keywords", "3", "--k", "5")]
    [InlineData("models")]
    [InlineData("status", "--json")]
    public async Task ReadOnlyVerb_SameOutputBothWays(params string[] args)
    {
        var (local, _) = await AssertSameAsync(args);

        Assert.Equal(0, local.ExitCode);
        Assert.NotEmpty(local.Output);
    }

    [Fact]
    public async Task SimilarAndKeywords_AFileOnThisMachine_SameOutputBothWays()
    {
        string photo = WebTestData.NewImagePath(1);

        var similar = await AssertSameAsync("similar", photo, "--k", "4", "--json");
        await AssertSameAsync("keywords", photo, "--k", "4");

        Assert.Equal(4, similar.Remote.Json().GetArrayLength());
        Assert.StartsWith(both.Server, similar.Remote.Json()[0].GetProperty("path").GetString());
    }

    [Fact]
    public async Task Search_PinnedToAVersionThatIsNot_FailsAlikeBothWays()
    {
        var (local, remote) = await AssertSameAsync("search", "cat", "--model", "999");

        Assert.Equal(1, local.ExitCode);
        Assert.Equal(local.Errors, remote.Errors);
        Assert.Contains("999", remote.Errors);
    }

    [Fact]
    public async Task Writes_ImportRelabelRenameDelete_SameOutputBothWays()
    {
        var imported = await AssertSameAsync("import", WebTestData.NewImagePath(0), "--label", "green apple");
        Assert.StartsWith("added #", imported.Remote.Output);
        int id = int.Parse(imported.Remote.Output.Split('#', ' ')[2]);

        await AssertSameAsync("relabel", id.ToString(), "--label", "Red   Apple");
        await AssertSameAsync("rename-label", "red apple", "apple");
        var missing = await AssertSameAsync("delete", id.ToString(), "99999");
        Assert.Equal((1, "error: No image with id 99999."), (missing.Remote.ExitCode, missing.Remote.Errors.Trim()));
        var deleted = await AssertSameAsync("delete", id.ToString());
        Assert.Contains($"Deleted 1 image: #{id}.", deleted.Remote.Output);
    }

    [Fact]
    public async Task ImportFolder_SameSummaryBothWays()
    {
        string dataset = TestData.CopySubset(["rabbit"]);
        try
        {
            var (local, remote) = await AssertSameAsync("import", dataset);

            Assert.Matches(@"Imported \d+ images \(\d+ duplicates skipped, 0 rejected\)", remote.Output);
        }
        finally
        {
            TestData.DeleteQuietly(dataset);
        }
    }

    [Fact]
    public async Task TrainEvalActivate_SameOutputBothWays()
    {
        var trained = await AssertSameAsync("train", "--epochs", "2", "--seed", "5", "--holdout", "0", "--no-activate");
        Assert.StartsWith("Model version ", trained.Remote.Output);
        int version = int.Parse(trained.Remote.Output["Model version ".Length..].Split(':')[0]);

        await AssertSameAsync("eval", "--model", version.ToString());
        var activated = await AssertSameAsync("activate", version.ToString());
        Assert.StartsWith($"Model version {version} is active", activated.Remote.Output);
        var jobs = await both.RemoteAsync("jobs", "--take", "3");
        Assert.Contains("Activation", jobs.Output);
    }

    [Fact]
    public async Task Users_ThroughTheServer_AKeyActsWithItsUsersRole()
    {
        var added = await CliRunner.RunWithInputAsync("a long enough password\n", "users", "add", "remote-viewer", "--role", "viewer",
            "--server", both.Server, "--key-file", both.KeyFile);
        var key = await both.RemoteAsync("users", "key", "remote-viewer");
        string keyFile = Path.Combine(TestData.NewTemporaryDirectory("cli-viewer-key"), "key");
        await File.WriteAllTextAsync(keyFile, key.Output.Trim());

        var search = await CliRunner.RunAsync("search", "cat", "--k", "2", "--server", both.Server, "--key-file", keyFile);
        var delete = await CliRunner.RunAsync("delete", "1", "--server", both.Server, "--key-file", keyFile);
        var list = await both.RemoteAsync("users", "list");
        var removed = await both.RemoteAsync("users", "remove", "remote-viewer");

        Assert.Equal("Added remote-viewer as Viewer.", added.Output.Trim());
        Assert.StartsWith("dvk_", key.Output);
        Assert.Equal(0, search.ExitCode);
        Assert.Equal(1, delete.ExitCode);
        Assert.Contains("role may not do this", delete.Errors);
        Assert.Contains("remote-viewer", list.Output);
        Assert.Equal("Removed remote-viewer and their API keys.", removed.Output.Trim());
    }

    [Fact]
    public async Task Backup_ThroughTheServer_WritesTheFolderOnTheServer()
    {
        string target = Path.Combine(TestData.NewTemporaryDirectory("cli-remote-backup"), "nightly");

        var run = await both.RemoteAsync("backup", target);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("Backed up ", run.Output);
        Assert.True(File.Exists(Path.Combine(target, "devise.db")));
    }

    [Fact]
    public async Task StoreOnlyVerb_WithServer_IsAUsageError()
    {
        var run = await both.RemoteAsync("verify");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("has no --server form", run.Errors);
    }

    [Fact]
    public async Task WrongKey_SaysTheServerDidNotAcceptIt()
    {
        string keyFile = Path.Combine(TestData.NewTemporaryDirectory("cli-bad-key"), "key");
        await File.WriteAllTextAsync(keyFile, "dvk_not-a-key");

        var run = await CliRunner.RunAsync("status", "--server", both.Server, "--key-file", keyFile);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("did not accept the API key", run.Errors);
    }
}
