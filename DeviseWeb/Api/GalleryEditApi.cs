using DeviseWeb.Engine;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Text;

namespace DeviseWeb.Api;

/// <summary>
/// Gallery management: delete images, give them a new label, rename a label; one image or many at once. The
/// label rule and the limit on ids per change are the engine's (<see cref="GalleryService"/>), and so are its
/// errors, mapped to ProblemDetails by <see cref="ApiExceptionHandler"/>.
/// </summary>
public static class GalleryEditApi
{
    public static RouteGroupBuilder MapGalleryEditApi(this RouteGroupBuilder editor)
    {
        var images = editor.MapGroup("/images").WithTags("Images");
        images.MapDelete("/{id:int}", DeleteOne).WithSummary("Delete an image: it leaves the gallery and search results at once.")
            .Produces(204).ProducesProblem(404);
        images.MapPatch("/{id:int}", (int id, LabelChange body, GalleryService gallery) => Results.Ok(gallery.Relabel([id], body.Label!).Single()))
            .WithSummary("Give an image a new label (JSON { \"label\": \"…\" }).").Produces<ImageInfo>().ProducesProblem(400).ProducesProblem(404);
        images.MapPost("/delete", DeleteMany).WithSummary($"Delete many images (JSON {{ \"ids\": […] }}, at most {GalleryService.MaxPageSize}).")
            .Produces<DeleteResponse>().ProducesProblem(400);
        images.MapPatch("/", RelabelMany).WithSummary($"Give many images one new label (JSON {{ \"ids\": […], \"label\": \"…\" }}, at most {GalleryService.MaxPageSize} ids).")
            .Produces<RelabelResponse>().ProducesProblem(400).ProducesProblem(404);
        editor.MapPost("/labels/rename", Rename).WithTags("Images")
            .WithSummary("Move every image of a label to another label, merging into it when it exists (JSON { \"from\": \"…\", \"to\": \"…\" }).")
            .Produces<LabelRenameResponse>().ProducesProblem(400).ProducesProblem(404);
        return images;
    }

    private static IResult DeleteOne(int id, GalleryService gallery) =>
        gallery.Delete([id]).Count == 1 ? Results.NoContent() : throw new NotFoundException($"No image with id {id}.");

    private static IResult DeleteMany(ImageIds body, GalleryService gallery)
    {
        var ids = RequireIds(body.Ids);
        var deleted = gallery.Delete(ids);
        return Results.Ok(new DeleteResponse(deleted, ids.Distinct().Except(deleted).ToList()));
    }

    private static IResult RelabelMany(BulkLabelChange body, GalleryService gallery) =>
        Results.Ok(new RelabelResponse(gallery.Relabel(RequireIds(body.Ids), body.Label!)));

    private static IResult Rename(LabelRename body, GalleryService gallery)
    {
        int moved = gallery.RenameLabel(body.From!, body.To!);
        return Results.Ok(new LabelRenameResponse(LabelText.Normalize(body.From), LabelText.Normalize(body.To), moved));
    }

    /// <summary>The shape of the body is the API's to check; what the ids may be is the engine's.</summary>
    private static IReadOnlyList<int> RequireIds(IReadOnlyList<int>? ids) =>
        ids is { Count: > 0 } ? ids : throw new InvalidInputException("ids: give the ids of the images to change.");
}
