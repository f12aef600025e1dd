using DeviseWeb.Engine;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Services;

namespace DeviseWeb.Api;

/// <summary>POST /api/images: many files per request, each imported on its own; a bad file never stops the others.</summary>
public static class UploadApi
{
    public static async Task<IResult> UploadAsync(HttpRequest request, ImportService import, EngineOptions options, CancellationToken cancellationToken)
    {
        if (ApiProblems.RequireMultipart(request, "files") is { } notMultipart) return notMultipart;
        var (form, problem) = await ApiProblems.ReadFormAsync(request, cancellationToken);
        if (problem is not null) return problem;
        var files = form!.Files.GetFiles("files");
        if (files.Count == 0) return ApiProblems.BadRequest("Form field 'files' is empty: attach one or more images.");
        string? label = form["label"].FirstOrDefault();

        var results = new List<ImportFileResult>(files.Count);
        foreach (var file in files)
        {
            // Only the base name is kept, for display; the engine stores the bytes under their content hash.
            string name = Path.GetFileName(file.FileName);
            if (string.IsNullOrWhiteSpace(name)) name = "upload";
            if (file.Length > options.MaxFileBytes)
            {
                results.Add(new ImportFileResult(name, ImportOutcome.Rejected, null, $"larger than the {ByteSize.Format(options.MaxFileBytes)} limit ({ByteSize.Format(file.Length)})"));
                continue;
            }
            await using var stream = file.OpenReadStream();
            results.Add(await import.ImportStreamAsync(stream, name, label, cancellationToken));
        }

        var response = new UploadResponse(results, results.Count(r => r.Outcome == ImportOutcome.Added),
            results.Count(r => r.Outcome == ImportOutcome.Duplicate), results.Count(r => r.Outcome == ImportOutcome.Rejected));
        if (response.Rejected == results.Count)
            return ApiProblems.BadRequest(string.Join("; ", results.Select(r => $"{r.FileName}: {r.Reason}")),
                new Dictionary<string, object?> { ["files"] = results });
        return Results.Ok(response);
    }
}
