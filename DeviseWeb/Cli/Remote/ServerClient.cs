using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DeviseWeb.Engine;
using Microsoft.AspNetCore.Mvc;

namespace DeviseWeb.Cli.Remote;

/// <summary>
/// The running app's JSON API, as the CLI's <c>--server</c> verbs call it: one API key (a Bearer token), and every
/// answer that is not a success turned into the error the same verb run on the store would raise (404 → not found,
/// 409 → conflict, 400 → invalid input, …), so the CLI prints <c>error: message</c> and exits 1 either way.
/// </summary>
public sealed class ServerClient : IDisposable
{
    /// <summary>Environment variables the CLI reads when <c>--server</c> / <c>--key-file</c> are not given.</summary>
    public const string ServerVariable = "DEVISE_SERVER", KeyVariable = "DEVISE_API_KEY";

    private readonly HttpClient _http;

    public ServerClient(Uri server, string apiKey)
    {
        Server = server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");
        _http = new HttpClient { BaseAddress = Server, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    public Uri Server { get; }

    /// <summary>Where the server serves an image's original.</summary>
    public string FileOf(int imageId) => new Uri(Server, $"api/images/{imageId}/file").AbsoluteUri;

    public Task<T> GetAsync<T>(string path, CancellationToken cancellationToken) =>
        SendAsync<T>(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);

    public Task<T> SendJsonAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken) =>
        SendAsync<T>(new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, options: CommandContext.JsonOptions) },
            cancellationToken);

    public Task<T> PostFormAsync<T>(string path, MultipartFormDataContent form, CancellationToken cancellationToken) =>
        SendAsync<T>(new HttpRequestMessage(HttpMethod.Post, path) { Content = form }, cancellationToken);

    /// <summary>Sends a request and returns the raw answer (the caller reads it); an unreachable server is an error naming it.</summary>
    public async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new DeviseException($"Cannot reach the server at {Server}: {e.Message}");
        }
    }

    private async Task<T> SendAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        using (var response = await SendRawAsync(request, cancellationToken))
        {
            if (!response.IsSuccessStatusCode) throw await ErrorOfAsync(response, cancellationToken);
            if (typeof(T) == typeof(NoContent)) return default!;
            return await response.Content.ReadFromJsonAsync<T>(CommandContext.JsonOptions, cancellationToken)
                ?? throw new DeviseException($"The server at {Server} answered {request.RequestUri} with an empty body.");
        }
    }

    /// <summary>The error the same request would have raised on the store, from the API's problem details.</summary>
    public async Task<Exception> ErrorOfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string body = await response.Content.ReadAsStringAsync(cancellationToken);
        ProblemDetails? problem = null;
        try { problem = JsonSerializer.Deserialize<ProblemDetails>(body, CommandContext.JsonOptions); }
        catch (JsonException) { }
        string detail = problem?.Detail ?? problem?.Title ?? (body.Length > 0 ? body : response.ReasonPhrase ?? "");
        return response.StatusCode switch
        {
            HttpStatusCode.NotFound => new NotFoundException(detail),
            HttpStatusCode.Conflict => new ConflictException(detail),
            HttpStatusCode.BadRequest => new InvalidInputException(detail),
            HttpStatusCode.InsufficientStorage => new DiskFullException(detail),
            HttpStatusCode.Unauthorized =>
                new DeviseException($"The server at {Server} did not accept the API key: set {KeyVariable} or --key-file to a key of yours ('users key NAME' on the server, or the Users page)."),
            HttpStatusCode.Forbidden => new DeviseException($"The API key's role may not do this on {Server}{(detail.Length > 0 ? $": {detail}" : ".")}"),
            HttpStatusCode.TooManyRequests => new DeviseException($"The server is busy: {detail} (try again in {response.Headers.RetryAfter?.Delta?.TotalSeconds ?? 1:0} s)."),
            _ => new DeviseException($"The server answered {(int)response.StatusCode} {response.ReasonPhrase}: {detail}"),
        };
    }

    public void Dispose() => _http.Dispose();

    /// <summary>For requests whose answer has no body (204).</summary>
    public sealed record NoContent;

    /// <summary>
    /// The server the CLI is pointed at, with its API key: <c>--server URL</c> or DEVISE_SERVER, the key from
    /// <c>--key-file PATH</c> or DEVISE_API_KEY. Null when no server is given (the verb opens the store).
    /// </summary>
    public static ServerClient? From(CliArguments cli)
    {
        string? server = cli.Get("--server") ?? Environment.GetEnvironmentVariable(ServerVariable);
        if (string.IsNullOrWhiteSpace(server)) return null;
        if (!Uri.TryCreate(server.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new CliUsageException($"--server expects the app's address, like http://localhost:5080 (got '{server}').");
        string? key = cli.Get("--key-file") is { } file ? ReadKey(file) : Environment.GetEnvironmentVariable(KeyVariable);
        if (string.IsNullOrWhiteSpace(key))
            throw new CliUsageException($"--server needs an API key: --key-file PATH, or {KeyVariable} (make one with 'users key NAME' on the server, or on the Users page).");
        return new ServerClient(uri, key.Trim());
    }

    private static string ReadKey(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException($"--key-file {path}: {e.Message}");
        }
    }
}
