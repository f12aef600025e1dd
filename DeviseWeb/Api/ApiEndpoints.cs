using DeviseWeb.Accounts;
using DeviseWeb.Audit;
using DeviseWeb.Engine;

namespace DeviseWeb.Api;

/// <summary>The JSON API under /api; its OpenAPI document is served at /openapi/v1.json.</summary>
public static class ApiEndpoints
{
    public static IEndpointRouteBuilder MapDeviseApi(this IEndpointRouteBuilder endpoints)
    {
        // Small JSON bodies unless an endpoint says otherwise (uploads, image queries, batches).
        var api = endpoints.MapGroup("/api").WithBodyLimit(BodyLimitKind.Json)
            .RequireAuthorization(AccessPolicies.View).RequireAntiforgeryForCookies();
        // Every endpoint that changes the gallery, a model or a job sits in this group, so its permission and its
        // audit record are added here once and cover them all; shutdown waits for them to finish.
        var editor = api.MapGroup("").TrackAsWrites().RequireAuthorization(AccessPolicies.Edit).AuditChanges();
        api.MapSearchApi();
        api.MapImagesApi(editor);
        editor.MapGalleryEditApi();
        api.MapJobsApi(editor);
        api.MapPublicLinksApi(editor);
        api.MapAdminApi();
        api.MapUsersApi();
        api.MapGet("/status", (StatusService status) => Results.Ok(status.Get()))
            .WithTags("Status").WithSummary("What the data directory holds and which model is active.").Produces<EngineStatus>();
        return endpoints;
    }
}
