using DeviseWeb.Engine;
using DeviseWeb.Engine.Imaging;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace DeviseWeb.Api;

/// <summary>
/// The one place the API turns exceptions into RFC 7807 answers: the engine's typed errors keep their message
/// (not found 404, conflict 409, invalid input or a rejected image 400, an unreachable store or index 503), a body that does not bind is a 400, and
/// anything else is a 500 that says nothing of the server's insides. Pages are left to the error page.
/// </summary>
public sealed class ApiExceptionHandler(IProblemDetailsService problemDetails, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        // The middleware has already pointed the request at the error page; the feature keeps where it was going.
        var path = context.Features.Get<IExceptionHandlerPathFeature>()?.Path ?? context.Request.Path.Value ?? "";
        if (!path.StartsWith("/api/", StringComparison.OrdinalIgnoreCase)) return false;
        var problem = exception switch
        {
            NotFoundException => Problem(StatusCodes.Status404NotFound, "Not found", exception.Message),
            ConflictException => Problem(StatusCodes.Status409Conflict, "Conflict", exception.Message),
            StoreFaultedException => Problem(StatusCodes.Status503ServiceUnavailable, "Store unavailable", exception.Message),
            IndexUnavailableException => Problem(StatusCodes.Status503ServiceUnavailable, "Index unavailable", exception.Message),
            DiskFullException => Problem(StatusCodes.Status507InsufficientStorage, "Insufficient storage", exception.Message),
            InvalidInputException => Problem(StatusCodes.Status400BadRequest, "Bad request", exception.Message),
            ImageRejectedException rejected => Problem(StatusCodes.Status400BadRequest, "Image rejected", rejected.Message, ("file", rejected.FileName)),
            BadHttpRequestException bad => Problem(bad.StatusCode, "Bad request", BadRequestDetail(bad)),
            _ => null,
        };
        if (problem is null)
        {
            logger.LogError(exception, "Request {Method} {Path} failed", context.Request.Method, path);
            problem = Problem(StatusCodes.Status500InternalServerError, "Server error", "The request could not be completed; the app is still running.");
        }
        context.Response.StatusCode = problem.Status!.Value;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    private static ProblemDetails Problem(int status, string title, string detail, params (string Key, object? Value)[] extensions)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        foreach (var (key, value) in extensions) problem.Extensions[key] = value;
        return problem;
    }

    /// <summary>The framework's message names the parameter; the JSON reader's says where the body went wrong.</summary>
    private static string BadRequestDetail(BadHttpRequestException e) =>
        e.InnerException is System.Text.Json.JsonException json ? $"{e.Message} {json.Message}" : e.Message;
}
