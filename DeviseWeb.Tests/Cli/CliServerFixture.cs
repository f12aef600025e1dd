using System.Text.RegularExpressions;
using DeviseWeb.Tests.Infrastructure;
using DeviseWeb.Tests.Web.Integration;

namespace DeviseWeb.Tests.Cli;

/// <summary>
/// Two copies of one store, kept in step: one opened by the CLI itself, one served by the running app (a real
/// socket) that the CLI reaches with <c>--server</c> and the Admin's API key. A test runs a verb both ways, so a write
/// changes both copies alike and every later comparison still holds.
/// </summary>
public sealed partial class CliServerFixture : IAsyncLifetime
{
    private readonly KestrelDeviseWebFactory _app = new();
    private string _keyFile = "";

    public string LocalDirectory { get; private set; } = "";

    public string Server => _app.RootUri.AbsoluteUri;

    public string KeyFile => _keyFile;

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)_app).InitializeAsync();
        LocalDirectory = await TemplateData.CopyAsync("cli-local");
        _keyFile = Path.Combine(TestData.NewTemporaryDirectory("cli-key"), "key");
        await File.WriteAllTextAsync(_keyFile, _app.AdminKey + "\n");
    }

    /// <summary>On the local copy, with the vocabulary size its cache was built with (as the app's).</summary>
    public Task<CliRun> LocalAsync(params string[] args) => CliRunner.RunAsync([.. args, "--data", LocalDirectory], new StringWriter(), CancellationToken.None,
        configure: o => o.VocabularyLimit = WebTestData.VocabularyLimit);

    public Task<CliRun> RemoteAsync(params string[] args) => CliRunner.RunAsync([.. args, "--server", Server, "--key-file", KeyFile]);

    /// <summary>Runs the verb on the local copy, then through the server; returns both runs.</summary>
    public async Task<(CliRun Local, CliRun Remote)> BothAsync(params string[] args) => (await LocalAsync(args), await RemoteAsync(args));

    /// <summary>What may differ between the two runs of one verb: clock times, elapsed times, and where an original lives (a path here, an address there).</summary>
    public string Normalised(string output)
    {
        output = output.Replace(LocalDirectory, "<data>").Replace(_app.DataDirectory, "<data>");
        output = Timestamp().Replace(output, "<time>");
        output = Seconds().Replace(output, "<n> s");
        output = FilePath().Replace(output, "\"path\": \"<file>\"");
        return output;
    }

    [GeneratedRegex(@"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?Z?)?")]
    private static partial Regex Timestamp();

    [GeneratedRegex(@"\d+(\.\d+)? s\b")]
    private static partial Regex Seconds();

    [GeneratedRegex("\"path\": \"[^\"]*\"")]
    private static partial Regex FilePath();

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)_app).DisposeAsync();
        TemplateData.DeleteQuietly(LocalDirectory);
        TemplateData.DeleteQuietly(Path.GetDirectoryName(_keyFile)!);
    }
}

[CollectionDefinition(Name)]
public sealed class CliServerCollection : ICollectionFixture<CliServerFixture>
{
    public const string Name = "CLI on the store and through the server";
}
