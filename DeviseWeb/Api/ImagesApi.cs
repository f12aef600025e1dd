using System.Security.Cryptography;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Text;
using DeviseWeb.Engine.Training;
using Microsoft.Net.Http.Headers;

namespace DeviseWeb.Api;

/// <summary>The gallery: list, one image, its keywords, its thumbnail and original, uploads, and reference photos kept for search.</summary>
public static class ImagesApi
{
    private const string ThumbnailCacheControl = "public, max-age=604800";
    private const string OriginalCacheControl = "public, max-age=86400";

    public static RouteGroupBuilder MapImagesApi(this RouteGroupBuilder api, RouteGroupBuilder editor)
    {
        var images = api.MapGroup("/images").WithTags("Images");
        images.MapGet("/", List).WithSummary("Gallery images, filtered by label and split (Train, Validation, HeldOut, Unassigned, Evaluation), paged with skip/take.")
            .Produces<ImagePage>().ProducesProblem(400);
        editor.MapPost("/images", UploadApi.UploadAsync).WithTags("Images")
            .WithSummary("Upload images (multipart field 'files', repeatable, at most Devise:Limits:MaxFilesPerRequest (20); optional 'label'; optional 'evaluation' = true marks them evaluation-only: searchable, never trained on). Returns one result per file; 400 when every file is rejected; 429 with Retry-After when too many uploads run at once.")
            .DescribeMultipart(("files", MultipartDocs.Field.Files, "The images"), ("label", MultipartDocs.Field.Text, "Label for every file (optional)"),
                ("evaluation", MultipartDocs.Field.Text, "true: evaluation-only images, never trained on (optional, default false)"))
            .Produces<UploadResponse>().ProducesProblem(400).ProducesProblem(413).ProducesProblem(429)
            .WithBodyLimit(BodyLimitKind.Upload).RequireRateLimiting(ApiRateLimits.Uploads).WithPerClientLimit(CostKind.Upload);
        images.MapGet("/{id:int}", (int id, GalleryService gallery) => Results.Ok(gallery.Get(id)))
            .WithSummary("One gallery image.").Produces<ImageInfo>().ProducesProblem(404);
        images.MapGet("/{id:int}/keywords", KeywordsAsync).WithSummary("Nearest words (WordNet nouns and the dataset's labels) to an image (model: a version, default the active one).")
            .Produces<IReadOnlyList<KeywordHit>>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        images.MapGet("/{id:int}/thumbnail", Thumbnail).WithSummary("JPEG thumbnail, cacheable (ETag).")
            .Produces(200, contentType: "image/jpeg").ProducesProblem(404);
        images.MapGet("/{id:int}/file", Original).WithSummary("The stored original.").Produces(200, contentType: "image/jpeg", additionalContentTypes: ["image/png", "image/webp", "image/gif", "image/bmp"]).ProducesProblem(404);

        api.MapGet("/references/{hash}", Reference).WithTags("Search").WithSummary("A reference photo uploaded for search (not in the gallery).")
            .Produces(200, contentType: "image/jpeg", additionalContentTypes: ["image/png", "image/webp", "image/gif", "image/bmp"]).ProducesProblem(404);
        api.MapGet("/references/{hash}/keywords", ReferenceKeywordsAsync).WithTags("Search")
            .WithSummary("Nearest words to a reference photo (its hash from POST /api/search/image; model: a version, default the active one).")
            .Produces<IReadOnlyList<KeywordHit>>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        return images;
    }

    private static IResult List(GalleryService gallery, string? label, string? split, string? skip, string? take)
    {
        if (ApiProblems.ParseInt(skip, "skip", 0, int.MaxValue, out int? skipValue) is { } badSkip) return badSkip;
        if (ApiProblems.ParseInt(take, "take", 1, GalleryService.MaxPageSize, out int? takeValue) is { } badTake) return badTake;
        if (ApiProblems.ParseEnum(split, "split", out SplitKind? splitKind) is { } badSplit) return badSplit;
        return Results.Ok(gallery.List(new ImageQuery(label, splitKind, skipValue ?? 0, takeValue ?? 60)));
    }

    private static async Task<IResult> KeywordsAsync(int id, string? k, string? model, KeywordService keywords, CancellationToken cancellationToken)
    {
        if (ApiProblems.ParseInt(k, "k", 1, SearchLimits.MaxK, out int? count) is { } badK) return badK;
        if (ApiProblems.ParseInt(model, "model", 1, int.MaxValue, out int? modelId) is { } badModel) return badModel;
        return Results.Ok(await keywords.ForImageAsync(id, count ?? 10, modelId, cancellationToken));
    }

    private static async Task<IResult> ReferenceKeywordsAsync(string hash, string? k, string? model, KeywordService keywords, CancellationToken cancellationToken)
    {
        if (ApiProblems.ParseInt(k, "k", 1, SearchLimits.MaxK, out int? count) is { } badK) return badK;
        if (ApiProblems.ParseInt(model, "model", 1, int.MaxValue, out int? modelId) is { } badModel) return badModel;
        return Results.Ok(await keywords.ForReferenceAsync(hash, count ?? 10, modelId, cancellationToken));
    }

    private static IResult Thumbnail(int id, GalleryService gallery, HttpResponse response)
    {
        var jpeg = gallery.Thumbnail(id);
        response.Headers.CacheControl = ThumbnailCacheControl;
        var tag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(jpeg))[..20]}\"");
        return Results.File(jpeg, "image/jpeg", entityTag: tag);
    }

    private static IResult Original(int id, GalleryService gallery, HttpResponse response)
    {
        var path = gallery.OriginalPath(id);
        // The record can outlive its file (deleted by hand, a disk swept); that is still "not found", not a server error.
        if (!File.Exists(path)) throw new Engine.NotFoundException($"The original of image {id} is missing from the data directory.");
        response.Headers.CacheControl = OriginalCacheControl;
        response.Headers.XContentTypeOptions = "nosniff";
        var tag = new EntityTagHeaderValue($"\"{Path.GetFileNameWithoutExtension(path)}\"");
        return Results.File(path, ImageContentTypes.FromExtension(path), entityTag: tag, enableRangeProcessing: true);
    }

    private static IResult Reference(string hash, ReferencePhotos references, HttpResponse response)
    {
        var path = references.PathFor(hash);
        response.Headers.CacheControl = "public, max-age=31536000, immutable";
        response.Headers.XContentTypeOptions = "nosniff";
        return Results.File(path, ImageContentTypes.Sniff(path), entityTag: new EntityTagHeaderValue($"\"{hash}\""));
    }
}
