using DeviseWeb.Accounts;
using DeviseWeb.Cli;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Cli;

/// <summary>users add|list|remove|key on a data directory of their own, as an operator runs them before starting the app.</summary>
public sealed class CliUserVerbsTests : IDisposable
{
    private const string Password = "a long enough password";
    private readonly string _data = TestData.NewTemporaryDirectory("cli-users");

    [Fact]
    public async Task AddListKeyRemove_AUser_WorksEndToEndAndTheKeyAuthenticates()
    {
        // Act
        var add = await CliRunner.RunWithInputAsync(Password + "\n", "users", "add", "Alice", "--role", "editor", "--data", _data);
        var list = await CliRunner.RunAsync("users", "list", "--json", "--data", _data);
        var key = await CliRunner.RunAsync("users", "key", "alice", "--data", _data);
        string secret = key.Output.Trim();
        AccountInfo? keyUser;
        bool passwordWorks;
        using (var database = new AccountsDatabase(_data))
        {
            var users = new UserAccounts(database);
            keyUser = new ApiKeys(database, users).Authenticate(secret);
            passwordWorks = users.CheckPassword("alice", Password) is not null;
        }
        var remove = await CliRunner.RunAsync("users", "remove", "alice", "--data", _data);
        var after = await CliRunner.RunAsync("users", "list", "--data", _data);

        // Assert
        Assert.True(add.ExitCode == 0, add.ToString());
        Assert.Contains("Added alice as Editor.", add.Output, StringComparison.Ordinal);
        var listed = Assert.Single(list.Json().EnumerateArray());
        Assert.Equal(("alice", "Editor"), (listed.GetProperty("name").GetString(), listed.GetProperty("role").GetString()));
        Assert.True(key.ExitCode == 0, key.ToString());
        Assert.StartsWith(ApiKeys.KeyPrefix, secret, StringComparison.Ordinal);
        Assert.Contains("not shown again", key.Errors, StringComparison.Ordinal);
        Assert.Equal(("alice", UserRole.Editor), (keyUser?.Name, keyUser?.Role));
        Assert.True(passwordWorks);
        Assert.True(remove.ExitCode == 0, remove.ToString());
        Assert.Contains("No users yet", after.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_WithAnUnknownRole_IsBadUsage()
    {
        var run = await CliRunner.RunWithInputAsync(Password + "\n", "users", "add", "bob", "--role", "owner", "--data", _data);

        Assert.Equal(CliCommands.Usage, run.ExitCode);
        Assert.Contains("--role expects admin, editor or viewer", run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_WithAShortPassword_FailsNamingTheRule()
    {
        var run = await CliRunner.RunWithInputAsync("short\n", "users", "add", "bob", "--role", "viewer", "--data", _data);

        Assert.Equal(CliCommands.Failed, run.ExitCode);
        Assert.Contains($"at least {UserAccounts.MinPasswordLength} characters", run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_TheOnlyAdmin_IsRefused()
    {
        await CliRunner.RunWithInputAsync(Password + "\n", "users", "add", "root", "--role", "admin", "--data", _data);

        var run = await CliRunner.RunAsync("users", "remove", "root", "--data", _data);

        Assert.Equal(CliCommands.Failed, run.ExitCode);
        Assert.Contains("only Admin", run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Key_ForAnUnknownUser_Fails()
    {
        var run = await CliRunner.RunAsync("users", "key", "nobody", "--data", _data);

        Assert.Equal(CliCommands.Failed, run.ExitCode);
        Assert.Contains("No user named 'nobody'", run.Errors, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try { Directory.Delete(_data, recursive: true); }
        catch (IOException) { /* cleaned with the temp folder */ }
    }
}
