namespace DeviseWeb.Accounts;

/// <summary>A user as the pages, the CLI and the API see one: never the password hash.</summary>
public sealed record AccountInfo(string Name, UserRole Role, DateTime Created, int ApiKeys);

/// <summary>An API key without its secret: the secret is shown once, when it is made.</summary>
public sealed record ApiKeyInfo(int Id, string UserName, string Prefix, DateTime Created, DateTime? LastUsed);

/// <summary>A new API key with its secret, to show once.</summary>
public sealed record NewApiKey(ApiKeyInfo Info, string Secret);

/// <summary>One state change: who, what, when.</summary>
public sealed record AuditEntry(DateTime At, string User, string Action, string Detail);

/// <summary>One result frozen into a public link.</summary>
public sealed record PublicLinkHit(int ImageId, string Label, double Score);

/// <summary>A public link as its owner sees it.</summary>
public sealed record PublicLinkInfo(string Id, string CreatedBy, DateTime Created, DateTime Expires, bool Revoked, string Title, int? ModelId, IReadOnlyList<PublicLinkHit> Hits);
