using System.Text.Json;
using DeviseWeb.Engine.Jobs;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace DeviseWeb.Audit;

/// <summary>Records every API change that succeeded: who, which action, and the ids and values it was given.</summary>
public static class ApiAudit
{
    /// <summary>Readable names for the API's changes, by method and route; anything else is logged by its route.</summary>
    private static readonly Dictionary<string, string> Actions = new(StringComparer.Ordinal)
    {
        ["POST /api/images"] = "upload images",
        ["DELETE /api/images/{id:int}"] = "delete image",
        ["PATCH /api/images/{id:int}"] = "relabel image",
        ["POST /api/images/delete"] = "delete images",
        ["PATCH /api/images/"] = "relabel images",
        ["POST /api/labels/rename"] = "rename label",
        ["POST /api/training"] = "start training",
        ["POST /api/jobs/{id}/cancel"] = "cancel job",
        ["POST /api/models/{id:int}/activate"] = "activate model",
        ["POST /api/models/{id:int}/evaluate"] = "evaluate model",
        ["POST /api/public-links/"] = "make public link",
        ["DELETE /api/public-links/{id}"] = "revoke public link",
        ["POST /api/admin/backup"] = "back up the store",
    };

    public static TBuilder AuditChanges<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var result = await next(context);
            int status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status200OK;
            if (status >= 400) return result;
            var http = context.HttpContext;
            string route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? http.Request.Path;
            string key = $"{http.Request.Method} {route}";
            http.RequestServices.GetRequiredService<AuditLog>().Record(http.User, Actions.GetValueOrDefault(key, key), Detail(context, result));
            return result;
        });

    /// <summary>The route values and bound bodies (ids, labels), and a started job's description and id.</summary>
    private static string Detail(EndpointFilterInvocationContext context, object? result)
    {
        var json = context.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var parts = context.HttpContext.Request.RouteValues.Select(v => $"{v.Key}={v.Value}").ToList();
        parts.AddRange(context.Arguments.Where(IsPlainValue).Select(a => JsonSerializer.Serialize(a, json)));
        if (result is IValueHttpResult { Value: JobInfo job }) parts.Add($"job {job.Id}: {job.Description}");
        if (result is IValueHttpResult { Value: Api.UploadResponse upload })
            parts.Add($"{upload.Added} added ({string.Join(", ", upload.Files.Where(f => f.Image is not null).Select(f => $"#{f.Image!.Id}"))}), {upload.Duplicates} duplicates, {upload.Rejected} rejected");
        return string.Join("; ", parts);
    }

    /// <summary>The API's own request bodies (ids, labels); services, the request and the token are not details.</summary>
    private static bool IsPlainValue(object? argument) =>
        argument is not null && argument.GetType().Namespace == typeof(Api.ApiEndpoints).Namespace;
}
