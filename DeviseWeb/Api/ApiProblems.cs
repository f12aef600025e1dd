namespace DeviseWeb.Api;

/// <summary>
/// 400 answers for what the API reads itself (query text, multipart bodies), each naming what is wrong. The
/// engine's own errors are mapped in one place, <see cref="ApiExceptionHandler"/>.
/// </summary>
public static class ApiProblems
{
    public static IResult BadRequest(string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request", extensions: extensions);

    /// <summary>413 for a body over the endpoint's limit, naming the limit.</summary>
    public static IResult TooLarge(long limitBytes) =>
        Results.Problem(detail: $"The request body is larger than this endpoint's {Services.ByteSize.Format(limitBytes)} limit.",
            statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large",
            extensions: new Dictionary<string, object?> { ["limitBytes"] = limitBytes });

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

    /// <summary>Reads an optional enum query parameter by name, case-insensitive; null when absent or valid, else the 400.</summary>
    public static IResult? ParseEnum<T>(string? raw, string name, out T? value) where T : struct, Enum
    {
        value = null;
        if (string.IsNullOrWhiteSpace(raw)) return null;
        if (Enum.TryParse<T>(raw, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(raw, out _))
        {
            value = parsed;
            return null;
        }
        return BadRequest($"{name}: '{raw}' is not one of {string.Join(", ", Enum.GetNames<T>())}.");
    }

    /// <summary>Null for a multipart/form-data request; else the 400 to return.</summary>
    public static IResult? RequireMultipart(HttpRequest request, string field) =>
        request.HasFormContentType && request.ContentType!.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            ? null
            : BadRequest($"Expected a multipart/form-data body with the image in form field '{field}'.");
}
