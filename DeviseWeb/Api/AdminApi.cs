using DeviseWeb.Accounts;
using DeviseWeb.Audit;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Storage;

namespace DeviseWeb.Api;

/// <summary>Admin operations on the running server: a consistent backup of the store and its accounts.</summary>
public static class AdminApi
{
    public static void MapAdminApi(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/admin").WithTags("Admin").RequireAuthorization(AccessPolicies.Administer).AuditChanges();
        admin.MapPost("/backup", Backup)
            .WithSummary("Snapshot the running store and its accounts into a new folder on the server (JSON { \"directory\": \"/backups/2026-12-07\" }): "
                + "originals and vector files hard-linked, writes held for the moment it takes, searches unaffected. Restore: stop the app, put the "
                + "folder where the data directory was, start it, run verify.")
            .Produces<BackupSummary>().ProducesProblem(400);
    }

    private static IResult Backup(BackupRequest body, StoreBackup backup, AccountsDatabase accounts, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(body.Directory) || !Path.IsPathFullyQualified(body.Directory))
            throw new InvalidInputException("directory: give an absolute path on the server for a new folder.");
        return Results.Ok(backup.Create(body.Directory, accounts.CopyTo, cancellationToken));
    }
}

/// <summary>Where on the server the backup goes: a new (or empty) folder, outside the data directory.</summary>
public sealed record BackupRequest(string? Directory);
