using System.Net;
using System.Net.Http.Headers;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>
/// A request body sent in two halves: the first at once, the second only when the test opens the gate, so a
/// request can be held in flight on the server (a slow client) for as long as a test needs.
/// </summary>
public sealed class GatedContent : HttpContent
{
    private readonly byte[] _bytes;
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GatedContent(byte[] bytes, MediaTypeHeaderValue contentType)
    {
        _bytes = bytes;
        Headers.ContentType = contentType;
    }

    /// <summary>The same bytes and Content-Type as <paramref name="content"/>, sent in two halves.</summary>
    public static async Task<GatedContent> FromAsync(HttpContent content) =>
        new(await content.ReadAsByteArrayAsync(), content.Headers.ContentType!);

    /// <summary>Lets the second half go.</summary>
    public void Open() => _gate.TrySetResult();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        int half = _bytes.Length / 2;
        await stream.WriteAsync(_bytes.AsMemory(0, half));
        await stream.FlushAsync();
        await _gate.Task;
        await stream.WriteAsync(_bytes.AsMemory(half));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _bytes.Length;
        return true;
    }
}
