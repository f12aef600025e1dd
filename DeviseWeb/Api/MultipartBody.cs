using System.Buffers;
using System.Text;
using DeviseWeb.Engine;
using DeviseWeb.Services;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace DeviseWeb.Api;

/// <summary>What a multipart body may hold; <paramref name="MaxFilesRule"/> names the setting (or rule) a client is told about.</summary>
public sealed record MultipartLimits(long MaxBodyBytes, int MaxFiles, string MaxFilesRule, long MaxFileBytes, int MaxFields, int MaxFieldBytes,
    int MaxHeadersBytes)
{
    public const string MaxFilesSetting = RequestLimitsOptions.SectionName + ":" + nameof(RequestLimitsOptions.MaxFilesPerRequest);

    /// <summary>POST /api/images: up to the configured number of files.</summary>
    public static MultipartLimits ForUpload(RequestLimitsOptions limits, EngineOptions engine) =>
        new(limits.MaxUploadBodyBytes(engine.MaxFileBytes), limits.MaxFilesPerRequest, MaxFilesSetting, engine.MaxFileBytes,
            limits.MaxFormFields, limits.MaxFormFieldBytes, limits.MaxMultipartHeadersBytes);

    /// <summary>POST /api/search/image: one photo.</summary>
    public static MultipartLimits ForImageQuery(RequestLimitsOptions limits, EngineOptions engine) =>
        new(limits.MaxImageQueryBodyBytes(engine.MaxFileBytes), 1, "one photo per query", engine.MaxFileBytes,
            limits.MaxFormFields, limits.MaxFormFieldBytes, limits.MaxMultipartHeadersBytes);
}

/// <summary>One file of a multipart body: spooled to a temporary file deleted on dispose, or only counted when over the limit.</summary>
public sealed class MultipartFile(string field, string fileName, long length, Stream? content) : IAsyncDisposable
{
    public string Field { get; } = field;

    /// <summary>The client's base name, for display only.</summary>
    public string FileName { get; } = fileName;

    public long Length { get; } = length;

    /// <summary>Over the per-file limit: counted while streaming past it, never stored.</summary>
    public bool TooLarge => content is null;

    /// <summary>The bytes, from the start; only for a file that is not <see cref="TooLarge"/>.</summary>
    public Stream OpenRead() => content ?? throw new InvalidOperationException($"{FileName} was over the limit and not kept.");

    public ValueTask DisposeAsync() => content?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>
/// A multipart/form-data body read section by section with its limits applied while streaming: the file count is
/// checked as each file starts, a file over the per-file limit is counted but never written, and only files within it
/// are spooled (to temporary files, since the text fields may come after them). The framework's form reader would
/// spool every file whole before any check.
/// </summary>
public sealed class MultipartBody : IAsyncDisposable
{
    private const int CopyBufferBytes = 64 * 1024;
    private const int MaxBoundaryLength = 70;

    private readonly List<MultipartFile> _files = [];
    private readonly Dictionary<string, List<string>> _fields = new(StringComparer.Ordinal);

    public IReadOnlyList<MultipartFile> Files => _files;

    public IEnumerable<MultipartFile> FilesNamed(string field) => _files.Where(f => f.Field == field);

    public string? Field(string name) => _fields.TryGetValue(name, out var values) ? values[0] : null;

    public IEnumerable<KeyValuePair<string, StringValues>> Fields => _fields.Select(f => KeyValuePair.Create(f.Key, new StringValues([.. f.Value])));

    /// <summary>Reads the body; on any problem the answer to give (400, or 413 for a body over its limit) and nothing kept.</summary>
    public static async Task<(MultipartBody? Body, IResult? Problem)> ReadAsync(HttpRequest request, MultipartLimits limits, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 and <= MaxBoundaryLength } boundary)
            return (null, ApiProblems.BadRequest("The multipart body has no usable boundary in its Content-Type."));

        var body = new MultipartBody();
        try
        {
            var reader = new MultipartReader(boundary, request.Body) { HeadersLengthLimit = limits.MaxHeadersBytes, HeadersCountLimit = 16 };
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                // A section that is neither a file nor a form field is skipped (the reader drains it).
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !(disposition.IsFileDisposition() || disposition.IsFormDisposition()))
                    continue;
                string field = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (disposition.IsFileDisposition())
                {
                    if (body._files.Count == limits.MaxFiles)
                        return await FailAsync(body, ApiProblems.BadRequest(
                            $"At most {limits.MaxFiles} file{(limits.MaxFiles == 1 ? "" : "s")} per request ({limits.MaxFilesRule}); send the rest in another request."));
                    string name = Path.GetFileName(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "");
                    body._files.Add(await SpoolAsync(field, name, section.Body, limits.MaxFileBytes, cancellationToken));
                }
                else
                {
                    if (body._fields.Values.Sum(v => v.Count) == limits.MaxFields)
                        return await FailAsync(body, ApiProblems.BadRequest($"At most {limits.MaxFields} form fields per request."));
                    if (await ReadTextAsync(section.Body, limits.MaxFieldBytes, cancellationToken) is not { } text)
                        return await FailAsync(body, ApiProblems.BadRequest($"Form field '{field}' is longer than {limits.MaxFieldBytes} bytes."));
                    (body._fields.TryGetValue(field, out var values) ? values : body._fields[field] = []).Add(text);
                }
            }
            return (body, null);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return await FailAsync(body, ApiProblems.TooLarge(limits.MaxBodyBytes));
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return await FailAsync(body, ApiProblems.BadRequest("The multipart body could not be read: " + e.Message));
        }
        catch
        {
            await body.DisposeAsync();
            throw;
        }
    }

    private static async Task<(MultipartBody?, IResult?)> FailAsync(MultipartBody body, IResult problem)
    {
        await body.DisposeAsync();
        return (null, problem);
    }

    private static async Task<MultipartFile> SpoolAsync(string field, string fileName, Stream source, long maxBytes, CancellationToken cancellationToken)
    {
        // A server-chosen name; the client's name is only ever shown.
        var spool = new FileStream(Path.Combine(Path.GetTempPath(), $"devise-upload-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, CopyBufferBytes, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        Stream? kept = spool;
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
        long length = 0;
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, CopyBufferBytes), cancellationToken)) > 0)
            {
                length += read;
                if (kept is not null && length > maxBytes)
                {
                    await kept.DisposeAsync();
                    kept = null;
                }
                if (kept is not null) await kept.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
            kept?.Seek(0, SeekOrigin.Begin);
            return new MultipartFile(field, fileName, length, kept);
        }
        catch
        {
            if (kept is not null) await kept.DisposeAsync();
            throw;
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    /// <summary>The section as UTF-8 text, or null when it is longer than <paramref name="maxBytes"/>.</summary>
    private static async Task<string?> ReadTextAsync(Stream source, int maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[maxBytes + 1];
        int total = 0, read;
        while (total < buffer.Length && (read = await source.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0) total += read;
        return total > maxBytes ? null : Encoding.UTF8.GetString(buffer, 0, total);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var file in _files) await file.DisposeAsync();
        _files.Clear();
    }
}
