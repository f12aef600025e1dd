using System.Security.Cryptography;
using DeviseWeb.Accounts;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Search;
using DeviseWeb.Services;
using Microsoft.AspNetCore.DataProtection;

namespace DeviseWeb.Sharing;

/// <summary>
/// Read-only public links to one result set. The results are frozen when the link is made (ids, labels, scores),
/// so the link shows those and nothing else, whatever the gallery does later. The token is the link's id sealed
/// by a time-limited Data Protection protector (signed and encrypted, with its expiry inside); the stored record
/// makes it revocable.
/// </summary>
public sealed class PublicLinks(AccountsDatabase database, SearchService search, IDataProtectionProvider protection)
{
    public const int DefaultDays = 7;
    public const int MaxDays = 90;
    public const string PagePath = "/public";

    private readonly ITimeLimitedDataProtector _protector = protection.CreateProtector("DeviseWeb.PublicLinks.v1").ToTimeLimitedDataProtector();

    /// <summary>Runs the search now and seals its results into a link valid for <paramref name="days"/> days; returns the link and its token.</summary>
    public async Task<(PublicLinkInfo Link, string Token)> CreateAsync(string createdBy, SearchLink query, int days = DefaultDays,
        CancellationToken cancellationToken = default)
    {
        if (days is < 1 or > MaxDays) throw new InvalidInputException($"days: 1 to {MaxDays}.");
        if (query.IsEmpty) throw new InvalidInputException("Empty query: a public link needs words, images or a reference photo.");
        var result = await search.SearchAsync(query.ToQuery(), cancellationToken).ConfigureAwait(false);
        var now = DateTime.UtcNow;
        var link = new PublicLinkDocument
        {
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), CreatedBy = createdBy, Created = now, Expires = now.AddDays(days),
            Title = Describe(query), ModelId = result.ModelId,
            Hits = result.Hits.Select(h => new PublicLinkHit(h.Image.Id, h.Image.Label, Math.Round(h.Score, 3))).ToList(),
        };
        database.PublicLinks.Insert(link);
        return (Info(link), _protector.Protect(link.Id, new DateTimeOffset(link.Expires)));
    }

    /// <summary>The link a token stands for, or null when the token is forged, expired or revoked.</summary>
    public PublicLinkInfo? Resolve(string token)
    {
        string id;
        try { id = _protector.Unprotect(token); }
        catch (CryptographicException) { return null; }
        var link = database.PublicLinks.FindById(id);
        return link is null || link.Revoked || link.Expires <= DateTime.UtcNow ? null : Info(link);
    }

    public IReadOnlyList<PublicLinkInfo> List() =>
        database.PublicLinks.FindAll().OrderByDescending(l => l.Created).Select(Info).ToList();

    public PublicLinkInfo Revoke(string id)
    {
        var link = database.PublicLinks.FindById(id) ?? throw new NotFoundException($"No public link {id}.");
        link.Revoked = true;
        database.PublicLinks.Update(link);
        return Info(link);
    }

    private static string Describe(SearchLink query)
    {
        var parts = new List<string>();
        if (query.Texts.Count > 0) parts.Add(string.Join(", ", query.Texts.Select(t => $"\u201c{t}\u201d")));
        if (query.ImageIds.Count > 0) parts.Add("images like " + string.Join(", ", query.ImageIds.Select(i => $"#{i}")));
        if (query.References.Count > 0) parts.Add("a reference photo");
        return string.Join(" + ", parts);
    }

    private static PublicLinkInfo Info(PublicLinkDocument link) =>
        new(link.Id, link.CreatedBy, link.Created, link.Expires, link.Revoked, link.Title, link.ModelId, link.Hits);
}
