namespace DeviseWeb.Api;

/// <summary>The JSON API under /api; its OpenAPI document is served at /openapi/v1.json.</summary>
public static class ApiEndpoints
{
    public static IEndpointRouteBuilder MapDeviseApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api");
        api.MapSearchApi();
        api.MapImagesApi();
        api.MapTrainingApi();
        api.MapGet("/status", (Engine.DeviseEngine engine) => Results.Ok(engine.GetStatus()))
            .WithTags("Status").WithSummary("What the data directory holds and which model is active.").Produces<Engine.EngineStatus>();
        return endpoints;
    }
}
