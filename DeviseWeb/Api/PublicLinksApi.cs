using DeviseWeb.Accounts;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Search;
using DeviseWeb.Services;
using DeviseWeb.Sharing;

namespace DeviseWeb.Api;

/// <summary>
/// Public links through the API, as the Public links page makes them: create one from a query (its results are frozen
/// then), list them, revoke one. Editors and Admins, as on the page; every change is audited.
/// </summary>
public static class PublicLinksApi
{
    public static void MapPublicLinksApi(this RouteGroupBuilder api, RouteGroupBuilder editor)
    {
        api.MapGet("/public-links", (PublicLinks links) => Results.Ok(links.List())).RequireAuthorization(AccessPolicies.Edit)
            .WithTags("Public links").WithSummary("Every public link, newest first, revoked and expired ones included.")
            .Produces<IReadOnlyList<PublicLinkInfo>>();
        var links = editor.MapGroup("/public-links").WithTags("Public links");
        links.MapPost("/", CreateAsync)
            .WithSummary($"Freeze a query's results into a read-only link that works without signing in (JSON {{ \"q\": […], \"img\": […], \"ref\": […], \"k\": 24, \"min\": 0.3, \"model\": N, \"days\": {PublicLinks.DefaultDays} }}; days 1–{PublicLinks.MaxDays}).")
            .WithPerClientLimit(CostKind.Search)
            .Produces<PublicLinkCreated>(StatusCodes.Status201Created).ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        links.MapDelete("/{id}", (string id, PublicLinks all) => Results.Ok(all.Revoke(id)))
            .WithSummary("Revoke a public link: it shows nothing from now on.").Produces<PublicLinkInfo>().ProducesProblem(404);
    }

    private static async Task<IResult> CreateAsync(PublicLinkRequest body, HttpContext http, PublicLinks links, CancellationToken cancellationToken)
    {
        var query = new SearchLink
        {
            Texts = body.Q ?? [], ImageIds = body.Img ?? [], References = body.Ref ?? [], K = body.K ?? SearchLimits.DefaultK, MinScore = body.Min,
            ModelId = body.Model,
        };
        var (link, token) = await links.CreateAsync(AccountPrincipal.NameOf(http.User), query, body.Days ?? PublicLinks.DefaultDays, cancellationToken);
        var request = http.Request;
        string url = $"{request.Scheme}://{request.Host}{request.PathBase}{PublicLinks.PagePath}/{Uri.EscapeDataString(token)}";
        return Results.Created(url, new PublicLinkCreated(link, url));
    }
}

/// <summary>A public link's query: the batch search's fields, plus how many days the link lives.</summary>
public sealed record PublicLinkRequest(IReadOnlyList<string>? Q, IReadOnlyList<int>? Img, IReadOnlyList<string>? Ref, int? K, float? Min, int? Model, int? Days);

/// <summary>The new link and its address (the token is in it; it is shown only now).</summary>
public sealed record PublicLinkCreated(PublicLinkInfo Link, string Url);
