using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace DeviseWeb.Engine.Imaging;

/// <summary>A decoded image composited onto white, with the hash and size of the file it came from.</summary>
public sealed class LoadedImage(Image<Rgb24> pixels, byte[] bytes, string contentHash, string format, Action? disposed = null) : IDisposable
{
    private Action? _disposed = disposed;

    public Image<Rgb24> Pixels { get; } = pixels;
    /// <summary>Lowercase hex SHA-256 of the file's bytes.</summary>
    public string ContentHash { get; } = contentHash;
    /// <summary>File extension of the decoded format, e.g. "png".</summary>
    public string Format { get; } = format;
    /// <summary>The file's original bytes, kept so the stored copy is exactly what was given.</summary>
    public byte[] Bytes { get; } = bytes;
    public long ByteCount => Bytes.Length;
    public int Width => Pixels.Width;
    public int Height => Pixels.Height;

    /// <summary>Returns the pixel buffers to their pool; a second call does nothing.</summary>
    public void Dispose()
    {
        Pixels.Dispose();
        Interlocked.Exchange(ref _disposed, null)?.Invoke();
    }
}
