using System.Security.Cryptography;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Storage;
using Microsoft.AspNetCore.Identity;

namespace DeviseWeb.Accounts;

/// <summary>
/// Users: add, find, check a password, change a role, remove. Passwords are hashed with ASP.NET Core Identity's
/// <see cref="PasswordHasher{TUser}"/> (PBKDF2). Errors are the engine's typed ones, so the API, the pages and the
/// CLI report them the way they report everything else.
/// </summary>
public sealed class UserAccounts(AccountsDatabase database)
{
    public const int MinPasswordLength = 8;
    public const int MaxNameLength = 64;

    private readonly PasswordHasher<UserDocument> _hasher = new();
    private readonly Lock _writeLock = new();

    public bool Any => database.Users.Count() > 0;

    public IReadOnlyList<AccountInfo> List() =>
        database.Users.FindAll().OrderBy(u => u.Name, StringComparer.Ordinal).Select(Info).ToList();

    public AccountInfo? Find(string name) => FindDocument(name) is { } user ? Info(user) : null;

    /// <summary>The user's current security stamp, or null when the user no longer exists.</summary>
    public string? StampOf(string name) => FindDocument(name)?.SecurityStamp;

    public AccountInfo Add(string name, UserRole role, string password)
    {
        lock (_writeLock) return Info(Insert(NormalizeName(name), role, password));
    }

    /// <summary>Adds the first Admin, only while there is no user at all (two setup forms sent at once make one admin).</summary>
    public AccountInfo AddFirstAdmin(string name, string password)
    {
        lock (_writeLock)
        {
            if (Any) throw new ConflictException("An account already exists; sign in instead.");
            return Info(Insert(NormalizeName(name), UserRole.Admin, password));
        }
    }

    /// <summary>The user when the password is theirs, else null (unknown name or wrong password alike).</summary>
    public AccountInfo? CheckPassword(string name, string password)
    {
        string normalized;
        try { normalized = NormalizeName(name); } catch (InvalidInputException) { return null; }
        var user = FindDocument(normalized);
        if (user is null)
        {
            // The same work for an unknown name as for a wrong password, so timing does not tell which names exist.
            _hasher.VerifyHashedPassword(new UserDocument(), DummyHash.Value, password);
            return null;
        }
        var result = _hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed) return null;
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = _hasher.HashPassword(user, password);
            database.Users.Update(user);
        }
        return Info(user);
    }

    public AccountInfo SetRole(string name, UserRole role)
    {
        lock (_writeLock)
        {
            var user = RequireDocument(name);
            if (user.Role == UserRole.Admin && role != UserRole.Admin) RequireAnotherAdmin(user);
            user.Role = role;
            user.SecurityStamp = NewStamp();
            database.Users.Update(user);
            return Info(user);
        }
    }

    public void SetPassword(string name, string password)
    {
        lock (_writeLock)
        {
            var user = RequireDocument(name);
            RequirePassword(password);
            user.PasswordHash = _hasher.HashPassword(user, password);
            user.SecurityStamp = NewStamp();
            database.Users.Update(user);
        }
    }

    /// <summary>Removes the user and every API key of theirs; their cookies stop working at their next request.</summary>
    public void Remove(string name)
    {
        lock (_writeLock)
        {
            var user = RequireDocument(name);
            if (user.Role == UserRole.Admin) RequireAnotherAdmin(user);
            database.Keys.DeleteMany(k => k.UserName == user.Name);
            database.Users.Delete(user.Id);
        }
    }

    /// <summary>Lower case, trimmed; letters, digits and . _ - @ only, so a name is safe in a log line or a URL.</summary>
    public static string NormalizeName(string? name)
    {
        string trimmed = (name ?? "").Trim().ToLowerInvariant();
        if (trimmed.Length == 0) throw new InvalidInputException("name: give a user name.");
        if (trimmed.Length > MaxNameLength) throw new InvalidInputException($"name: at most {MaxNameLength} characters.");
        if (!trimmed.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@'))
            throw new InvalidInputException("name: use letters, digits and . _ - @ only.");
        return trimmed;
    }

    private UserDocument Insert(string name, UserRole role, string password)
    {
        RequirePassword(password);
        if (FindDocument(name) is not null) throw new ConflictException($"A user named '{name}' already exists.");
        var user = new UserDocument { Name = name, Role = role, SecurityStamp = NewStamp(), Created = DateTime.UtcNow };
        user.PasswordHash = _hasher.HashPassword(user, password);
        database.Users.Insert(user);
        return user;
    }

    private void RequireAnotherAdmin(UserDocument user)
    {
        if (database.Users.Count(u => u.Role == UserRole.Admin && u.Id != user.Id) == 0)
            throw new ConflictException($"'{user.Name}' is the only Admin; make another Admin first.");
    }

    private static void RequirePassword(string? password)
    {
        if (string.IsNullOrEmpty(password) || password.Length < MinPasswordLength)
            throw new InvalidInputException($"password: at least {MinPasswordLength} characters.");
    }

    private UserDocument? FindDocument(string name)
    {
        string normalized = (name ?? "").Trim().ToLowerInvariant();
        return database.Users.FindOne(Where.Equal(nameof(UserDocument.Name), normalized));
    }

    private UserDocument RequireDocument(string name) =>
        FindDocument(name) ?? throw new NotFoundException($"No user named '{(name ?? "").Trim().ToLowerInvariant()}'.");

    private AccountInfo Info(UserDocument user) =>
        new(user.Name, user.Role, user.Created, database.Keys.Count(Where.Equal(nameof(ApiKeyDocument.UserName), user.Name)));

    private static string NewStamp() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    private static readonly Lazy<string> DummyHash = new(() => new PasswordHasher<UserDocument>().HashPassword(new UserDocument(), "not a password"));
}
