using DeviseWeb.Accounts;
using DeviseWeb.Audit;
using DeviseWeb.Engine;

namespace DeviseWeb.Api;

/// <summary>
/// Users and their API keys, for Admins, as on the Users page and the CLI's <c>users</c> verb: list, add, remove, make
/// a key. Audited by hand, not by the API's filter, so a password never reaches the log.
/// </summary>
public static class UsersApi
{
    public static void MapUsersApi(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Users").RequireAuthorization(AccessPolicies.Administer).TrackAsWrites();
        users.MapGet("/", (UserAccounts accounts) => Results.Ok(accounts.List()))
            .WithSummary("Users, their roles and how many API keys each has.").Produces<IReadOnlyList<AccountInfo>>();
        users.MapPost("/", Add)
            .WithSummary("Add a user (JSON { \"name\": \"…\", \"role\": \"Admin|Editor|Viewer\", \"password\": \"…\" }).")
            .Produces<AccountInfo>().ProducesProblem(400).ProducesProblem(409);
        users.MapDelete("/{name}", Remove).WithSummary("Remove a user and their API keys (not the last Admin).")
            .Produces<RemovedUser>().ProducesProblem(404).ProducesProblem(409);
        users.MapPost("/{name}/keys", CreateKey).WithSummary("Make a new API key for a user; the key is in this answer only.")
            .Produces<CreatedApiKey>().ProducesProblem(404);
    }

    private static IResult Add(NewUser body, UserAccounts accounts, AuditLog audit, HttpContext http)
    {
        if (body.Role is not { } role || !Enum.IsDefined(role)) throw new InvalidInputException("role: Admin, Editor or Viewer.");
        var user = accounts.Add(body.Name ?? "", role, body.Password ?? "");
        audit.Record(http.User, "add user", $"{user.Name} as {user.Role}");
        return Results.Ok(user);
    }

    private static IResult Remove(string name, UserAccounts accounts, AuditLog audit, HttpContext http)
    {
        accounts.Remove(name);
        string removed = UserAccounts.NormalizeName(name);
        audit.Record(http.User, "remove user", removed);
        return Results.Ok(new RemovedUser(removed));
    }

    private static IResult CreateKey(string name, ApiKeys keys, AuditLog audit, HttpContext http)
    {
        var key = keys.Create(name);
        audit.Record(http.User, "create API key", $"{key.Info.Prefix}… for {key.Info.UserName}");
        return Results.Ok(new CreatedApiKey(key.Info.Id, key.Info.UserName, key.Secret));
    }
}

/// <summary>Body of POST /api/users.</summary>
public sealed record NewUser(string? Name, UserRole? Role, string? Password);

public sealed record RemovedUser(string Removed);

/// <summary>A new API key: shown in this answer only (its hash is what is stored).</summary>
public sealed record CreatedApiKey(int Id, string UserName, string Key);
