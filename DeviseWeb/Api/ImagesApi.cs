using System.Security.Cryptography;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Training;
using Microsoft.Net.Http.Headers;

namespace DeviseWeb.Api;

/// <summary>The gallery: list, one image, its keywords, its thumbnail and original, and reference photos kept for search.</summary>
public static class ImagesApi
{
    private const string ThumbnailCacheControl = "public, max-age=604800";
    private const string OriginalCacheControl = "public, max-age=86400";

    public static RouteGroupBuilder MapImagesApi(this RouteGroupBuilder api)
    {
        var images = api.MapGroup("/images").WithTags("Images");
        images.MapGet("/", List).WithSummary("Gallery images, filtered by label and split (Train, Validation, HeldOut, Unassigned), paged with skip/take.")
            .Produces<ImagePage>().ProducesProblem(400);
        images.MapPost("/", UploadApi.UploadAsync)
            .WithSummary("Upload images (multipart field 'files', repeatable; optional 'label'). Returns one result per file; 400 when every file is rejected.")
            .DescribeMultipart(("files", MultipartDocs.Field.Files, "The images"), ("label", MultipartDocs.Field.Text, "Label for every file (optional)"))
            .Produces<UploadResponse>().ProducesProblem(400);
        images.MapGet("/{id:int}", Get).WithSummary("One gallery image.").Produces<ImageInfo>().ProducesProblem(404);
        images.MapGet("/{id:int}/keywords", KeywordsAsync).WithSummary("Nearest words (WordNet nouns and the dataset's labels) to an image.")
            .Produces<IReadOnlyList<KeywordHit>>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        images.MapGet("/{id:int}/thumbnail", Thumbnail).WithSummary("JPEG thumbnail, cacheable (ETag).")
            .Produces(200, contentType: "image/jpeg").ProducesProblem(404);
        images.MapGet("/{id:int}/file", Original).WithSummary("The stored original.").Produces(200, contentType: "image/jpeg", additionalContentTypes: ["image/png", "image/webp", "image/gif", "image/bmp"]).ProducesProblem(404);

        api.MapGet("/references/{hash}", Reference).WithTags("Search").WithSummary("A reference photo uploaded for search (not in the gallery).")
            .Produces(200, contentType: "image/jpeg", additionalContentTypes: ["image/png", "image/webp", "image/gif", "image/bmp"]).ProducesProblem(404);
        return images;
    }

    private static IResult List(DeviseEngine engine, string? label, string? split, string? skip, string? take)
    {
        if (ApiProblems.ParseInt(skip, "skip", 0, int.MaxValue, out int? skipValue) is { } badSkip) return badSkip;
        if (ApiProblems.ParseInt(take, "take", 1, 1000, out int? takeValue) is { } badTake) return badTake;
        SplitKind? splitKind = null;
        if (!string.IsNullOrWhiteSpace(split))
        {
            if (!Enum.TryParse<SplitKind>(split, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
                return ApiProblems.BadRequest($"split: '{split}' is not one of {string.Join(", ", Enum.GetNames<SplitKind>())}.");
            splitKind = parsed;
        }
        return Results.Ok(engine.ListImages(new ImageQuery(label, splitKind, skipValue ?? 0, takeValue ?? 60)));
    }

    private static IResult Get(int id, DeviseEngine engine) =>
        engine.GetImage(id) is { } image ? Results.Ok(image) : ApiProblems.NotFound($"No image with id {id}.");

    private static async Task<IResult> KeywordsAsync(int id, string? k, DeviseEngine engine)
    {
        if (engine.GetImage(id) is null) return ApiProblems.NotFound($"No image with id {id}.");
        if (ApiProblems.ParseInt(k, "k", 1, 1000, out int? count) is { } badK) return badK;
        if (ApiProblems.RequireModel(engine) is { } noModel) return noModel;
        // The first call may embed the whole vocabulary (minutes); keep it off the request thread.
        var keywords = await Task.Run(() => engine.Keywords(id, count ?? 10));
        return Results.Ok(keywords);
    }

    private static IResult Thumbnail(int id, DeviseEngine engine, HttpResponse response)
    {
        if (engine.GetThumbnail(id) is not { } jpeg) return ApiProblems.NotFound($"No image with id {id}.");
        response.Headers.CacheControl = ThumbnailCacheControl;
        var tag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(jpeg))[..20]}\"");
        return Results.File(jpeg, "image/jpeg", entityTag: tag);
    }

    private static IResult Original(int id, DeviseEngine engine, HttpResponse response)
    {
        if (engine.GetOriginalPath(id) is not { } path || !File.Exists(path)) return ApiProblems.NotFound($"No image with id {id}.");
        response.Headers.CacheControl = OriginalCacheControl;
        response.Headers.XContentTypeOptions = "nosniff";
        var tag = new EntityTagHeaderValue($"\"{Path.GetFileNameWithoutExtension(path)}\"");
        return Results.File(path, ImageContentTypes.FromExtension(path), entityTag: tag, enableRangeProcessing: true);
    }

    private static IResult Reference(string hash, DeviseEngine engine, HttpResponse response)
    {
        if (engine.GetReferencePath(hash) is not { } path) return ApiProblems.NotFound($"No reference photo {hash}.");
        response.Headers.CacheControl = "public, max-age=31536000, immutable";
        response.Headers.XContentTypeOptions = "nosniff";
        return Results.File(path, ImageContentTypes.Sniff(path), entityTag: new EntityTagHeaderValue($"\"{hash}\""));
    }
}
