using DeviseWeb.Engine;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Services;
using Microsoft.Extensions.Options;

namespace DeviseWeb.Api;

/// <summary>POST /api/images: many files per request, each imported on its own; a bad file never stops the others.</summary>
public static class UploadApi
{
    public static async Task<IResult> UploadAsync(HttpRequest request, ImportService import, EngineOptions options, IOptions<RequestLimitsOptions> limits,
        CancellationToken cancellationToken)
    {
        if (ApiProblems.RequireMultipart(request, "files") is { } notMultipart) return notMultipart;
        var (form, problem) = await MultipartBody.ReadAsync(request, MultipartLimits.ForUpload(limits.Value, options), cancellationToken);
        if (problem is not null) return problem;
        await using var body = form!;
        var files = body.FilesNamed("files").ToList();
        if (files.Count == 0) return ApiProblems.BadRequest("Form field 'files' is empty: attach one or more images.");
        string? label = body.Field("label");
        var evaluationField = body.Field("evaluation");
        bool evaluation = false;
        if (!string.IsNullOrWhiteSpace(evaluationField) && !bool.TryParse(evaluationField.Trim(), out evaluation))
            return ApiProblems.BadRequest($"Form field 'evaluation' must be true or false (got '{evaluationField}').");

        var results = new List<ImportFileResult>(files.Count);
        foreach (var file in files)
        {
            // Only the base name is kept, for display; the engine stores the bytes under their content hash.
            string name = string.IsNullOrWhiteSpace(file.FileName) ? "upload" : file.FileName;
            if (file.TooLarge)
            {
                results.Add(new ImportFileResult(name, ImportOutcome.Rejected, null, $"larger than the {ByteSize.Format(options.MaxFileBytes)} limit ({ByteSize.Format(file.Length)})"));
                continue;
            }
            results.Add(await import.ImportStreamAsync(file.OpenRead(), name, label, evaluation, cancellationToken));
        }

        var response = new UploadResponse(results, results.Count(r => r.Outcome == ImportOutcome.Added),
            results.Count(r => r.Outcome == ImportOutcome.Duplicate), results.Count(r => r.Outcome == ImportOutcome.Rejected));
        if (response.Rejected == results.Count)
            return ApiProblems.BadRequest(string.Join("; ", results.Select(r => $"{r.FileName}: {r.Reason}")),
                new Dictionary<string, object?> { ["files"] = results });
        return Results.Ok(response);
    }
}
