using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>Reads the API's JSON as the app writes it (web defaults, enums as strings) into the app's own records.</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<T>(body, Options) ?? throw new InvalidOperationException("Empty JSON body.");
    }

    /// <summary>Asserts an RFC 7807 answer with the status and returns it.</summary>
    public static async Task<ProblemDetails> ReadProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var problem = await ReadAsync<ProblemDetails>(response, expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, problem.Status);
        return problem;
    }

    public static Task<HttpResponseMessage> PostJsonAsync<T>(HttpClient client, string url, T value) =>
        client.PostAsJsonAsync(url, value, Options);

    public static Task<HttpResponseMessage> PatchJsonAsync<T>(HttpClient client, string url, T value) =>
        client.PatchAsJsonAsync(url, value, Options);
}
