using DeviseWeb.Engine;
using DeviseWeb.Services;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace DeviseWeb.Api;

/// <summary>Which of <see cref="RequestLimitsOptions"/>' body sizes holds for an endpoint.</summary>
public enum BodyLimitKind { Json, Batch, Upload, ImageQuery }

/// <summary>Endpoint metadata naming its body limit; the size is read from the options per request, so configuration holds.</summary>
public sealed record BodyLimit(BodyLimitKind Kind)
{
    public long Bytes(RequestLimitsOptions limits, EngineOptions engine) => Kind switch
    {
        BodyLimitKind.Json => limits.MaxJsonBodyBytes,
        BodyLimitKind.Batch => limits.MaxBatchBodyBytes,
        BodyLimitKind.Upload => limits.MaxUploadBodyBytes(engine.MaxFileBytes),
        BodyLimitKind.ImageQuery => limits.MaxImageQueryBodyBytes(engine.MaxFileBytes),
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null),
    };
}

public static class BodyLimitExtensions
{
    /// <summary>Holds the endpoints' bodies to a limit; the last one given wins, so an endpoint overrides its group.</summary>
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, BodyLimitKind kind) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyLimit(kind));
}

/// <summary>
/// Applies an endpoint's <see cref="BodyLimit"/> before anything reads the body: a declared length over it is a 413
/// ProblemDetails at once; the server's own limit is set to it (Kestrel then stops a longer chunked body); and where the
/// server has no such limit (the test server), the body is wrapped so reading past the limit fails the same way.
/// A small chunked body (JSON) is read up front, so it too gets a 413 ProblemDetails rather than the binder's empty one.
/// </summary>
public sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<RequestLimitsOptions> limits, EngineOptions engine)
{
    /// <summary>Bodies up to this size with no declared length are read up front to answer a clean 413.</summary>
    private const long BufferedLimitBytes = 4 * 1024 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<BodyLimit>() is not { } limit)
        {
            await next(context);
            return;
        }
        long max = limit.Bytes(limits.Value, engine);
        var request = context.Request;
        if (request.ContentLength > max)
        {
            await ApiProblems.TooLarge(max).ExecuteAsync(context);
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = max;
        bool chunked = request.ContentLength is null && (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody
            ?? HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method));
        if (chunked)
        {
            var limited = new LengthLimitedStream(request.Body, max);
            if (max <= BufferedLimitBytes)
            {
                var buffer = new MemoryStream();
                try { await limited.CopyToAsync(buffer, context.RequestAborted); }
                catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    await ApiProblems.TooLarge(max).ExecuteAsync(context);
                    return;
                }
                buffer.Position = 0;
                request.Body = buffer;
            }
            else request.Body = limited;
        }
        await next(context);
    }
}

/// <summary>A read-only view of a request body that fails with a 413 once more than <c>max</c> bytes have been read.</summary>
internal sealed class LengthLimitedStream(Stream inner, long max) : Stream
{
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Count(int read)
    {
        _read += read;
        if (_read > max) throw new BadHttpRequestException($"The request body is larger than {max} bytes.", StatusCodes.Status413PayloadTooLarge);
        return read;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
