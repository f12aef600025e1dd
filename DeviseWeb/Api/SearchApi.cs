using DeviseWeb.Engine;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Services;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Primitives;

namespace DeviseWeb.Api;

/// <summary>GET /api/search (words, gallery images, reference photos) and POST /api/search/image (a new photo, optionally with words).</summary>
public static class SearchApi
{
    public static RouteGroupBuilder MapSearchApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/search").WithTags("Search");
        group.MapGet("/", Search)
            .WithSummary("Search the gallery by words (q, repeatable or comma-separated), gallery images (img) and reference photos (ref).")
            .Produces<SearchResponse>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/image", SearchByImageAsync)
            .WithSummary("Search with an uploaded photo (multipart field 'file'; optional 'q', 'k', 'min'). The photo is kept as a reference, not added to the gallery.")
            .DescribeMultipart(("file", MultipartDocs.Field.File, "The photo to search with"),
                ("q", MultipartDocs.Field.TextList, "Words to combine with the photo"),
                ("k", MultipartDocs.Field.Text, "Number of results, 1–1000 (default 24)"),
                ("min", MultipartDocs.Field.Text, "Score cutoff, -1–1"))
            .Produces<ImageSearchResponse>().ProducesProblem(400).ProducesProblem(409);
        return group;
    }

    /// <remarks>The parameters arrive as text and are checked by <see cref="SearchLink.Parse"/>, so a bad one gets a 400 naming it.</remarks>
    private static IResult Search(DeviseEngine engine, [FromQuery] string[]? q, [FromQuery] string[]? img, [FromQuery(Name = "ref")] string[]? references,
        string? k, string? min, string? model)
    {
        var parsed = SearchLink.Parse(new Dictionary<string, StringValues>
        {
            ["q"] = q ?? [], ["img"] = img ?? [], ["ref"] = references ?? [], ["k"] = k, ["min"] = min, ["model"] = model,
        });
        if (!parsed.IsValid) return ApiProblems.BadRequest(string.Join(" ", parsed.Errors));
        var link = parsed.Link;
        if (link.IsEmpty) return ApiProblems.BadRequest("Empty query: give q (words), img (gallery image ids) or ref (reference photo hashes).");
        if (link.ModelId is { } modelId && engine.GetModel(modelId) is null) return ApiProblems.NotFound($"No model version {modelId}.");
        if (link.ModelId is null && ApiProblems.RequireModel(engine) is { } noModel) return noModel;
        foreach (var id in link.ImageIds)
            if (engine.GetImage(id) is null) return ApiProblems.NotFound($"No image with id {id}.");
        if (link.References.FirstOrDefault(h => !engine.HasReference(h)) is { } missingRef) return ApiProblems.NotFound($"No reference photo {missingRef}.");
        try
        {
            var result = engine.Search(link.ToQuery());
            return Results.Ok(new SearchResponse(result.ModelId, result.Hits, (link with { ModelId = result.ModelId }).ToUrl()));
        }
        catch (DeviseException e) { return ApiProblems.BadRequest(e.Message); }
    }

    private static async Task<IResult> SearchByImageAsync(HttpRequest request, DeviseEngine engine, CancellationToken cancellationToken)
    {
        if (ApiProblems.RequireMultipart(request, "file") is { } notMultipart) return notMultipart;
        if (ApiProblems.RequireModel(engine) is { } noModel) return noModel;
        var (form, problem) = await ApiProblems.ReadFormAsync(request, cancellationToken);
        if (problem is not null) return problem;
        var file = form!.Files.GetFile("file");
        if (file is null) return ApiProblems.BadRequest("Form field 'file' is missing: attach the photo to search with.");

        var parsed = SearchLink.Parse(form.Where(f => f.Key is "q" or "k" or "min"));
        if (!parsed.IsValid) return ApiProblems.BadRequest(string.Join(" ", parsed.Errors));
        string name = Path.GetFileName(file.FileName);
        if (file.Length > engine.Options.MaxFileBytes)
            return ApiProblems.BadRequest($"{name}: larger than the {ByteSize.Format(engine.Options.MaxFileBytes)} limit ({ByteSize.Format(file.Length)}).");

        string hash;
        try
        {
            await using var stream = file.OpenReadStream();
            hash = await engine.StoreReferenceAsync(stream, name, cancellationToken);
        }
        catch (ImageRejectedException e) { return ApiProblems.BadRequest($"{e.FileName}: {e.Reason}", new Dictionary<string, object?> { ["file"] = e.FileName }); }

        var link = parsed.Link with { References = [hash] };
        var result = engine.Search(link.ToQuery());
        return Results.Ok(new ImageSearchResponse(hash, result.ModelId, result.Hits, (link with { ModelId = result.ModelId }).ToUrl()));
    }
}
