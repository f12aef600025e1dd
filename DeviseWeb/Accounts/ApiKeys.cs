using System.Security.Cryptography;
using System.Text;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Storage;

namespace DeviseWeb.Accounts;

/// <summary>
/// API keys for scripts: 256 random bits, shown once, stored as their SHA-256 only, looked up on every request so
/// a revoked key stops working at once.
/// </summary>
public sealed class ApiKeys(AccountsDatabase database, UserAccounts users)
{
    /// <summary>Marks a string as one of ours (secret scanners and people can tell what leaked).</summary>
    public const string KeyPrefix = "dvk_";

    public NewApiKey Create(string userName)
    {
        var user = users.Find(userName) ?? throw new NotFoundException($"No user named '{userName.Trim().ToLowerInvariant()}'.");
        string secret = KeyPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var key = new ApiKeyDocument
        {
            UserName = user.Name, Hash = HashOf(secret), Prefix = secret[..(KeyPrefix.Length + 6)], Created = DateTime.UtcNow,
        };
        database.Keys.Insert(key);
        return new NewApiKey(Info(key), secret);
    }

    public IReadOnlyList<ApiKeyInfo> List(string? userName = null)
    {
        var keys = userName is null ? database.Keys.FindAll() : database.Keys.Find(Where.Equal(nameof(ApiKeyDocument.UserName), userName.Trim().ToLowerInvariant()));
        return keys.OrderBy(k => k.Id).Select(Info).ToList();
    }

    public ApiKeyInfo? Get(int id) => database.Keys.FindById(id) is { } key ? Info(key) : null;

    public void Revoke(int id)
    {
        if (!database.Keys.Delete(id)) throw new NotFoundException($"No API key {id}.");
    }

    /// <summary>The user a key belongs to, or null for an unknown or revoked key.</summary>
    public AccountInfo? Authenticate(string secret)
    {
        if (!secret.StartsWith(KeyPrefix, StringComparison.Ordinal)) return null;
        var key = database.Keys.FindOne(Where.Equal(nameof(ApiKeyDocument.Hash), HashOf(secret)));
        if (key is null) return null;
        var user = users.Find(key.UserName);
        if (user is null) return null;
        // Written at most once a minute per key: a script's every request should not be a database write.
        if (key.LastUsed is null || DateTime.UtcNow - key.LastUsed > TimeSpan.FromMinutes(1))
        {
            key.LastUsed = DateTime.UtcNow;
            database.Keys.Update(key);
        }
        return user;
    }

    private static string HashOf(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static ApiKeyInfo Info(ApiKeyDocument key) => new(key.Id, key.UserName, key.Prefix, key.Created, key.LastUsed);
}
