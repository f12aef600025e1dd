using LiteDB;

namespace DeviseWeb.Accounts;

/// <summary>
/// accounts.db in the data directory: users, API keys, public links and the audit log. Kept apart from the
/// engine's devise.db so the engine knows nothing of accounts; opened once per process.
/// </summary>
public sealed class AccountsDatabase : IDisposable
{
    public const string FileName = "accounts.db";

    private readonly string _dataDirectory;

    public AccountsDatabase(string dataDirectory)
    {
        _dataDirectory = dataDirectory;
        Directory.CreateDirectory(dataDirectory);
        // A mapper of its own: LiteDB's shared BsonMapper.Global builds a type's map on first use without a lock, and two
        // databases opened at once (the tests run side by side) saw a half-built map ("Member Hash not found").
        Lite = new LiteDatabase(new ConnectionString { Filename = Path.Combine(dataDirectory, FileName), Connection = ConnectionType.Direct }, new BsonMapper());
        Users.EnsureIndex(u => u.Name, unique: true);
        Keys.EnsureIndex(k => k.Hash, unique: true);
        Keys.EnsureIndex(k => k.UserName);
        Audit.EnsureIndex(a => a.At);
    }

    internal LiteDatabase Lite { get; }

    public ILiteCollection<UserDocument> Users => Lite.GetCollection<UserDocument>("users");
    public ILiteCollection<ApiKeyDocument> Keys => Lite.GetCollection<ApiKeyDocument>("api_keys");
    public ILiteCollection<PublicLinkDocument> PublicLinks => Lite.GetCollection<PublicLinkDocument>("public_links");
    public ILiteCollection<AuditDocument> Audit => Lite.GetCollection<AuditDocument>("audit");

    /// <summary>
    /// A consistent copy of accounts.db into <paramref name="folder"/>: commits go to LiteDB's log and reach the data
    /// file only at a checkpoint, so the file copied right after one holds every committed change and nothing half.
    /// </summary>
    public void CopyTo(string folder)
    {
        Lite.Checkpoint();
        File.Copy(Path.Combine(_dataDirectory, FileName), Path.Combine(folder, FileName));
    }

    public void Dispose() => Lite.Dispose();
}

public sealed class UserDocument
{
    public int Id { get; set; }
    public string Name { get; set; } = "";
    public UserRole Role { get; set; }
    public string PasswordHash { get; set; } = "";
    /// <summary>Changes whenever the password or role changes, so cookies issued before stop working.</summary>
    public string SecurityStamp { get; set; } = "";
    public DateTime Created { get; set; }
}

public sealed class ApiKeyDocument
{
    public int Id { get; set; }
    public string UserName { get; set; } = "";
    /// <summary>SHA-256 of the key, hex: keys are 256 random bits, so a fast hash is enough to keep them unusable at rest.</summary>
    public string Hash { get; set; } = "";
    public string Prefix { get; set; } = "";
    public DateTime Created { get; set; }
    public DateTime? LastUsed { get; set; }
}

public sealed class PublicLinkDocument
{
    public string Id { get; set; } = "";
    public string CreatedBy { get; set; } = "";
    public DateTime Created { get; set; }
    public DateTime Expires { get; set; }
    public bool Revoked { get; set; }
    public string Title { get; set; } = "";
    public int? ModelId { get; set; }
    public List<PublicLinkHit> Hits { get; set; } = [];
}

public sealed class AuditDocument
{
    public int Id { get; set; }
    public DateTime At { get; set; }
    public string User { get; set; } = "";
    public string Action { get; set; } = "";
    public string Detail { get; set; } = "";
}
