using Microsoft.OpenApi;

namespace DeviseWeb.Api;

/// <summary>
/// Describes a multipart/form-data body in the OpenAPI document. Not <c>Accepts(...)</c>: that also makes routing
/// answer 415 to other content types, where the API promises a 400 that says what to send.
/// </summary>
public static class MultipartDocs
{
    public enum Field { File, Files, Text, TextList }

    public static RouteHandlerBuilder DescribeMultipart(this RouteHandlerBuilder builder, params (string Name, Field Kind, string Description)[] fields) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            var properties = new Dictionary<string, IOpenApiSchema>();
            foreach (var (name, kind, description) in fields)
            {
                var single = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Format = kind is Field.File or Field.Files ? "binary" : null,
                };
                properties[name] = kind is Field.Files or Field.TextList
                    ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = single, Description = description }
                    : new OpenApiSchema { Type = single.Type, Format = single.Format, Description = description };
            }
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["multipart/form-data"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object, Properties = properties } },
                },
            };
            return Task.CompletedTask;
        });
}
