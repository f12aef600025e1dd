using DeviseWeb.Engine.Gallery;
using Microsoft.Net.Http.Headers;

namespace DeviseWeb.Sharing;

/// <summary>
/// What a public link opens without signing in: its results' thumbnails, and only those (the page itself is
/// <c>PublicLinkPage</c>). No original, no other image, no other endpoint.
/// </summary>
public static class PublicLinkEndpoints
{
    public static IEndpointRouteBuilder MapPublicLinkEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(PublicLinks.PagePath + "/{token}/thumbnails/{id:int}", Thumbnail).AllowAnonymous().ExcludeFromDescription();
        return endpoints;
    }

    private static IResult Thumbnail(string token, int id, PublicLinks links, GalleryService gallery, HttpResponse response)
    {
        var link = links.Resolve(token);
        if (link is null || link.Hits.All(h => h.ImageId != id))
        {
            response.HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>()?.Enabled = false;
            return Results.NotFound();
        }
        // Private: a revoked link must not keep working from a shared cache.
        response.Headers.CacheControl = "private, max-age=300";
        response.Headers.XContentTypeOptions = "nosniff";
        return Results.File(gallery.Thumbnail(id), "image/jpeg");
    }
}
