using DeviseWeb.Engine;
using DeviseWeb.Engine.Search;
using DeviseWeb.Services;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace DeviseWeb.Api;

/// <summary>
/// GET /api/search (words, gallery images, reference photos), POST /api/search/image (a new photo, optionally with
/// words) and POST /api/search/batch (many queries under one model version).
/// </summary>
public static class SearchApi
{
    public static RouteGroupBuilder MapSearchApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/search").WithTags("Search").WithPerClientLimit(CostKind.Search);
        group.MapGet("/", SearchAsync)
            .WithSummary("Search the gallery by words (q, repeatable or comma-separated), gallery images (img) and reference photos (ref).")
            .Produces<SearchResponse>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/image", SearchByImageAsync)
            .WithSummary("Search with an uploaded photo (multipart field 'file'; optional 'q', 'k', 'min'). The photo is kept as a reference, not added to the gallery.")
            .DescribeMultipart(("file", MultipartDocs.Field.File, "The photo to search with"),
                ("q", MultipartDocs.Field.TextList, "Words to combine with the photo"),
                ("k", MultipartDocs.Field.Text, $"Number of results, 1–{SearchLimits.MaxK} (default {SearchLimits.DefaultK})"),
                ("min", MultipartDocs.Field.Text, "Score cutoff, -1–1"))
            .Produces<ImageSearchResponse>().ProducesProblem(400).ProducesProblem(409).ProducesProblem(413).ProducesProblem(429)
            .WithBodyLimit(BodyLimitKind.ImageQuery).RequireRateLimiting(ApiRateLimits.ImageQueries).TrackAsWrites();
        group.MapPost("/batch", SearchBatchAsync)
            .WithSummary($"Many queries at once (JSON {{ \"queries\": [ {{ \"q\": […], \"img\": […], \"k\": 10 }} … ], \"model\": N }}, at most {SearchLimits.MaxBatch}), answered by one model version in one pass; one result list per query.")
            .Produces<BatchSearchResponse>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(413)
            .WithBodyLimit(BodyLimitKind.Batch);
        return group;
    }

    /// <remarks>The parameters arrive as text and are checked by <see cref="SearchLink.Parse"/>, so a bad one gets a 400 naming it.</remarks>
    private static async Task<IResult> SearchAsync(SearchService search, [FromQuery] string[]? q, [FromQuery] string[]? img,
        [FromQuery(Name = "ref")] string[]? references, string? k, string? min, string? model, CancellationToken cancellationToken)
    {
        var parsed = SearchLink.Parse(new Dictionary<string, StringValues>
        {
            ["q"] = q ?? [], ["img"] = img ?? [], ["ref"] = references ?? [], ["k"] = k, ["min"] = min, ["model"] = model,
        });
        if (!parsed.IsValid) return ApiProblems.BadRequest(string.Join(" ", parsed.Errors));
        var link = parsed.Link;
        if (link.IsEmpty) return ApiProblems.BadRequest("Empty query: give q (words), img (gallery image ids) or ref (reference photo hashes).");
        var result = await search.SearchAsync(link.ToQuery(), cancellationToken);
        return Results.Ok(new SearchResponse(result.ModelId, result.Hits, (link with { ModelId = result.ModelId }).ToUrl()));
    }

    private static async Task<IResult> SearchByImageAsync(HttpRequest request, SearchService search, ReferencePhotos references, EngineOptions options,
        IOptions<RequestLimitsOptions> limits, CancellationToken cancellationToken)
    {
        if (ApiProblems.RequireMultipart(request, "file") is { } notMultipart) return notMultipart;
        var (form, problem) = await MultipartBody.ReadAsync(request, MultipartLimits.ForImageQuery(limits.Value, options), cancellationToken);
        if (problem is not null) return problem;
        await using var body = form!;
        var file = body.FilesNamed("file").FirstOrDefault();
        if (file is null) return ApiProblems.BadRequest("Form field 'file' is missing: attach the photo to search with.");

        var parsed = SearchLink.Parse(body.Fields.Where(f => f.Key is "q" or "k" or "min" or "model"));
        if (!parsed.IsValid) return ApiProblems.BadRequest(string.Join(" ", parsed.Errors));
        string name = file.FileName;
        if (file.TooLarge)
            return ApiProblems.BadRequest($"{name}: larger than the {ByteSize.Format(options.MaxFileBytes)} limit ({ByteSize.Format(file.Length)}).");

        string hash = await references.StoreAsync(file.OpenRead(), name, cancellationToken);
        var link = parsed.Link with { References = [hash] };
        var result = await search.SearchAsync(link.ToQuery(), cancellationToken);
        return Results.Ok(new ImageSearchResponse(hash, result.ModelId, result.Hits, (link with { ModelId = result.ModelId }).ToUrl()));
    }

    private static async Task<IResult> SearchBatchAsync(BatchSearchRequest body, SearchService search, CancellationToken cancellationToken)
    {
        var queries = body.Queries ?? throw new InvalidInputException("queries: give a list of queries.");
        // Each query as the link a person would share, so its results come back with the URL that reproduces them.
        var links = queries.Select(q => new SearchLink
        {
            Texts = q.Q ?? [], ImageIds = q.Img ?? [], References = q.Ref ?? [], K = q.K ?? SearchLimits.DefaultK, MinScore = q.Min,
        }).ToList();
        var results = await search.SearchBatchAsync(links.Select(l => l.ToQuery()).ToList(), body.Model, cancellationToken);
        return Results.Ok(new BatchSearchResponse(results[0].ModelId, results.Select((r, i) =>
            new SearchResponse(r.ModelId, r.Hits, (links[i] with { ModelId = r.ModelId }).ToUrl())).ToList()));
    }
}
