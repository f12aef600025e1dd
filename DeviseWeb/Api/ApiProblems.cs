using DeviseWeb.Engine;

namespace DeviseWeb.Api;

/// <summary>RFC 7807 answers with a reason a person can act on, used by every endpoint.</summary>
public static class ApiProblems
{
    public static IResult BadRequest(string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request", extensions: extensions);

    public static IResult NotFound(string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static IResult Conflict(string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict", extensions: extensions);

    public static IResult NoModel() =>
        Conflict("No trained model yet: train one first (POST /api/training, or the Training page).");

    /// <summary>
    /// Reads an optional whole-number query parameter taken as text (so "abc" gets a 400 that names it, not the
    /// framework's empty one). Null when it is absent or valid; else the 400 to return.
    /// </summary>
    public static IResult? ParseInt(string? raw, string name, int min, int max, out int? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(raw)) return null;
        if (int.TryParse(raw, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int parsed)
            && parsed >= min && parsed <= max)
        {
            value = parsed;
            return null;
        }
        return BadRequest($"{name}: '{raw}' must be a whole number between {min} and {max}.");
    }

    /// <summary>Null when the engine has an active model; else the 409 to return.</summary>
    public static IResult? RequireModel(DeviseEngine engine) => engine.ActiveModel is null ? NoModel() : null;

    /// <summary>Null for a multipart/form-data request; else the 400 to return.</summary>
    public static IResult? RequireMultipart(HttpRequest request, string field) =>
        request.HasFormContentType && request.ContentType!.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            ? null
            : BadRequest($"Expected a multipart/form-data body with the image in form field '{field}'.");

    /// <summary>Reads the form, turning a body over the limits or a broken multipart body into a 400 with the reason.</summary>
    public static async Task<(IFormCollection? Form, IResult? Problem)> ReadFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try { return (await request.ReadFormAsync(cancellationToken), null); }
        catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException)
        {
            return (null, BadRequest("The multipart body could not be read: " + e.Message));
        }
    }
}
