using DeviseWeb.Accounts;
using DeviseWeb.Audit;
using DeviseWeb.Engine;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeviseWeb.Cli.Verbs;

/// <summary>
/// users add|list|remove|key: the web app's accounts, kept in the data directory's accounts.db. Runs with the data
/// directory held like every verb, so it never writes while the web app serves it; with --server, through the app's
/// API (an Admin's key).
/// </summary>
public static class UserVerbs
{
    public static int Users(CommandContext c)
    {
        string action = c.Cli.RequirePositional(0, "add, list, remove or key");
        using var database = new AccountsDatabase(Path.GetFullPath(c.Get<EngineOptions>().DataDirectory));
        var users = new UserAccounts(database);
        var keys = new ApiKeys(database, users);
        var audit = new AuditLog(database, NullLogger<AuditLog>.Instance);
        string actor = $"cli ({Environment.UserName})";
        switch (action)
        {
            case "list":
                WriteList(c, users.List());
                return CliCommands.Done;
            case "add":
            {
                string name = c.Cli.RequirePositional(1, "a user name");
                var role = ParseRole(c.Cli.Get("--role") ?? throw new CliUsageException("'users add' needs --role admin|editor|viewer."));
                var user = users.Add(name, role, ReadPassword(c));
                audit.Record(actor, "add user", $"{user.Name} as {user.Role}");
                WriteAdded(c, user);
                return CliCommands.Done;
            }
            case "remove":
            {
                string name = c.Cli.RequirePositional(1, "a user name");
                users.Remove(name);
                audit.Record(actor, "remove user", UserAccounts.NormalizeName(name));
                WriteRemoved(c, UserAccounts.NormalizeName(name));
                return CliCommands.Done;
            }
            case "key":
            {
                var key = keys.Create(c.Cli.RequirePositional(1, "a user name"));
                audit.Record(actor, "create API key", $"{key.Info.Prefix}… for {key.Info.UserName}");
                WriteKey(c, key.Info.Id, key.Info.UserName, key.Secret);
                return CliCommands.Done;
            }
            default:
                throw new CliUsageException($"Unknown 'users' action '{action}': add, list, remove or key.");
        }
    }

    public static void WriteList(CommandContext c, IReadOnlyList<AccountInfo> all)
    {
        if (c.Json) { c.WriteJson(all); return; }
        if (all.Count == 0) { c.Output.WriteLine("No users yet: open the web app on this machine to create the first Admin, or run 'users add NAME --role admin'."); return; }
        c.Output.WriteLine($"{"name",-24}  {"role",-7}  {"created (UTC)",-16}  keys");
        foreach (var user in all)
            c.Output.WriteLine($"{user.Name,-24}  {user.Role,-7}  {user.Created,-16:yyyy-MM-dd HH:mm}  {user.ApiKeys,4}");
    }

    public static void WriteAdded(CommandContext c, AccountInfo user)
    {
        if (c.Json) c.WriteJson(user);
        else c.Output.WriteLine($"Added {user.Name} as {user.Role}.");
    }

    public static void WriteRemoved(CommandContext c, string name)
    {
        if (c.Json) c.WriteJson(new { removed = name });
        else c.Output.WriteLine($"Removed {name} and their API keys.");
    }

    public static void WriteKey(CommandContext c, int id, string userName, string secret)
    {
        if (c.Json) { c.WriteJson(new { id, userName, key = secret }); return; }
        c.Output.WriteLine(secret);
        c.Errors.WriteLine($"API key {id} for {userName}: send it as 'Authorization: Bearer <key>'. It is not shown again.");
    }

    /// <summary>users add|list|remove|key through the server's API (Admins' keys only).</summary>
    public static async Task<int> RemoteAsync(CommandContext c, Remote.ServerClient server)
    {
        string action = c.Cli.RequirePositional(0, "add, list, remove or key");
        switch (action)
        {
            case "list":
                WriteList(c, await server.GetAsync<List<AccountInfo>>("api/users", c.CancellationToken));
                return CliCommands.Done;
            case "add":
            {
                string name = c.Cli.RequirePositional(1, "a user name");
                var role = ParseRole(c.Cli.Get("--role") ?? throw new CliUsageException("'users add' needs --role admin|editor|viewer."));
                WriteAdded(c, await server.SendJsonAsync<AccountInfo>(HttpMethod.Post, "api/users", new Api.NewUser(name, role, ReadPassword(c)), c.CancellationToken));
                return CliCommands.Done;
            }
            case "remove":
            {
                string name = c.Cli.RequirePositional(1, "a user name");
                var removed = await server.SendJsonAsync<Api.RemovedUser>(HttpMethod.Delete, $"api/users/{Uri.EscapeDataString(name)}", null, c.CancellationToken);
                WriteRemoved(c, removed.Removed);
                return CliCommands.Done;
            }
            case "key":
            {
                string name = c.Cli.RequirePositional(1, "a user name");
                var key = await server.SendJsonAsync<Api.CreatedApiKey>(HttpMethod.Post, $"api/users/{Uri.EscapeDataString(name)}/keys", null, c.CancellationToken);
                WriteKey(c, key.Id, key.UserName, key.Key);
                return CliCommands.Done;
            }
            default:
                throw new CliUsageException($"Unknown 'users' action '{action}': add, list, remove or key.");
        }
    }

    private static UserRole ParseRole(string text) =>
        Enum.TryParse<UserRole>(text, ignoreCase: true, out var role) && Enum.IsDefined(role) && !text.All(char.IsDigit)
            ? role : throw new CliUsageException($"--role expects admin, editor or viewer, got '{text}'.");

    /// <summary>The first line of standard input; typed without echo (and asked twice) on a terminal.</summary>
    private static string ReadPassword(CommandContext c)
    {
        if (c.Input is null && !Console.IsInputRedirected)
        {
            string first = ReadHidden(c.Errors, "Password: ");
            if (ReadHidden(c.Errors, "Password again: ") != first) throw new InvalidInputException("password: the two passwords differ.");
            return first;
        }
        return (c.Input ?? Console.In).ReadLine() ?? throw new InvalidInputException("password: give it on standard input.");
    }

    private static string ReadHidden(TextWriter prompt, string text)
    {
        prompt.Write(text);
        var typed = new System.Text.StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace) { if (typed.Length > 0) typed.Length--; }
            else if (!char.IsControl(key.KeyChar)) typed.Append(key.KeyChar);
        }
        prompt.WriteLine();
        return typed.ToString();
    }
}
