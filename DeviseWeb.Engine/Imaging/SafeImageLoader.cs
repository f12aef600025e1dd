using System.Diagnostics;
using System.Security.Cryptography;
using DeviseWeb.Engine.Storage;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.PixelFormats;

namespace DeviseWeb.Engine.Imaging;

/// <summary>
/// Decodes untrusted files defensively. Before any pixel is decoded: the size limit, a pass over the container
/// (<see cref="ContainerScan"/>), then the header's format, side and pixel count. The decode itself runs with only the
/// accepted formats, the first frame, no metadata and a bounded allocator (<see cref="DecoderConfiguration"/>), at most
/// <see cref="DecodeLimits.MaxConcurrentDecodes"/> at once and within <see cref="DecodeLimits.DecodeBudget"/>. Every
/// failure becomes an <see cref="ImageRejectedException"/> naming the file and the reason. Transparent pixels are
/// composited onto white (dropping alpha to black hurt retrieval on real photos).
/// </summary>
public sealed class SafeImageLoader
{
    public static readonly IReadOnlySet<string> Extensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp" };

    private readonly Configuration _configuration;
    private readonly SemaphoreSlim _decodeSlots;
    private int _liveImages;

    public SafeImageLoader(DecodeLimits limits)
    {
        Limits = limits;
        _configuration = DecoderConfiguration.Create(limits);
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.MaxConcurrentDecodes, 1, nameof(limits));
        _decodeSlots = new SemaphoreSlim(limits.MaxConcurrentDecodes);
    }

    public SafeImageLoader(long maxFileBytes, long maxPixels) : this(new DecodeLimits { MaxFileBytes = maxFileBytes, MaxPixels = maxPixels }) { }

    public DecodeLimits Limits { get; }
    public long MaxFileBytes => Limits.MaxFileBytes;
    public long MaxPixels => Limits.MaxPixels;

    /// <summary>Images this loader decoded that are not disposed yet: the pixel memory its callers still hold.</summary>
    public int LiveImages => Volatile.Read(ref _liveImages);

    public LoadedImage Load(string path) => Decode(ReadFile(path), Path.GetFileName(path));

    /// <summary>A file decoded as <see cref="Load"/> does, waiting for a decode slot without holding a thread.</summary>
    public async Task<LoadedImage> LoadAsync(string path, CancellationToken cancellationToken)
    {
        var bytes = ReadFile(path);
        string name = DisplayFileName.Of(Path.GetFileName(path));
        CheckBytes(name, bytes);
        await _decodeSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try { return DecodeInSlot(bytes, name, null, cancellationToken); }
        finally { _decodeSlots.Release(); }
    }

    /// <summary>
    /// Reads a file's bytes after checking it is a regular file within the size limit. Never waits: a FIFO or a
    /// device swapped in for a file is refused, not read. Without <paramref name="followLinks"/> a link is refused too.
    /// </summary>
    public byte[] ReadFile(string path, bool followLinks = true)
    {
        var name = DisplayFileName.Of(Path.GetFileName(path));
        try
        {
            using var stream = UnixFiles.OpenRegularFile(path, followLinks);
            CheckSize(name, stream.Length);
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (FileNotFoundException e) { throw new ImageRejectedException(name, "file not found", e); }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            throw new ImageRejectedException(name, "cannot be read: " + e.Message, e);
        }
    }

    public static string HashOf(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Reads at most <see cref="MaxFileBytes"/> + 1 bytes, so an oversized stream is rejected without buffering it all.</summary>
    public async Task<LoadedImage> LoadAsync(Stream stream, string name, CancellationToken cancellationToken)
    {
        name = DisplayFileName.Of(name);
        var bytes = await ReadAllAsync(stream, name, cancellationToken).ConfigureAwait(false);
        CheckBytes(name, bytes);
        await _decodeSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try { return DecodeInSlot(bytes, name, null, cancellationToken); }
        finally { _decodeSlots.Release(); }
    }

    /// <summary>
    /// A stream that knows its length (an upload buffered by the server, a file) is read into one array of that size:
    /// growing a buffer by doubling cost three times a 50 MB file's size at the peak.
    /// </summary>
    private async Task<byte[]> ReadAllAsync(Stream stream, string name, CancellationToken cancellationToken)
    {
        if (stream.CanSeek)
        {
            long length = stream.Length - stream.Position;
            CheckSize(name, length);
            var exact = new byte[length];
            try { await stream.ReadExactlyAsync(exact, cancellationToken).ConfigureAwait(false); }
            catch (EndOfStreamException e) { throw new ImageRejectedException(name, "ended before its declared length", e); }
            return exact;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            CheckSize(name, buffer.Length);
        }
        return buffer.ToArray();
    }

    /// <summary>Decodes a file already in memory; waits for a free decode slot when as many decodes as allowed are running.</summary>
    public LoadedImage Decode(byte[] bytes, string name, string? contentHash = null, CancellationToken cancellationToken = default)
    {
        name = DisplayFileName.Of(name);
        CheckBytes(name, bytes);
        _decodeSlots.Wait(cancellationToken);
        try { return DecodeInSlot(bytes, name, contentHash, cancellationToken); }
        finally { _decodeSlots.Release(); }
    }

    /// <summary>Takes a decode slot as a decode would, until disposed: lets tests fill every slot without timing luck.</summary>
    internal IDisposable HoldDecodeSlot()
    {
        _decodeSlots.Wait();
        return new SlotHold(_decodeSlots);
    }

    private sealed class SlotHold(SemaphoreSlim slots) : IDisposable
    {
        private int _released;
        public void Dispose() { if (Interlocked.Exchange(ref _released, 1) == 0) slots.Release(); }
    }

    private LoadedImage DecodeInSlot(byte[] bytes, string name, string? contentHash, CancellationToken cancellationToken)
    {
        if (ContainerScan.Check(bytes, Limits) is { } problem) throw new ImageRejectedException(name, problem);
        var format = Identify(bytes, name);
        using var decoded = DecodeFirstFrame(bytes, name, format, cancellationToken);
        var pixels = AlphaCompositing.OntoWhite(decoded, _configuration);
        Interlocked.Increment(ref _liveImages);
        return new LoadedImage(pixels, bytes, contentHash ?? HashOf(bytes), DecoderConfiguration.ExtensionOf(format),
            () => Interlocked.Decrement(ref _liveImages));
    }

    private IImageFormat Identify(byte[] bytes, string name)
    {
        IImageInfo? header;
        IImageFormat? format;
        try { header = Image.Identify(_configuration, bytes, out format); }
        catch (Exception e) when (e is not OperationCanceledException) { throw new ImageRejectedException(name, "unreadable image header: " + e.Message, e); }
        if (header is null || format is null)
        {
            string other = DecoderConfiguration.OtherFormatName(bytes) is { } known ? $": the file is {known}" : "";
            throw new ImageRejectedException(name, $"not a supported image ({DecoderConfiguration.AcceptedFormats}){other}");
        }
        int width = header.Width, height = header.Height;
        if (width <= 0 || height <= 0) throw new ImageRejectedException(name, $"image has no pixels ({width}×{height})");
        if (width > Limits.MaxSide || height > Limits.MaxSide)
            throw new ImageRejectedException(name, $"side too long: {width}×{height} (limit {Limits.MaxSide} px a side)");
        long pixels = (long)width * height;
        if (pixels > MaxPixels)
            throw new ImageRejectedException(name, $"too many pixels: {width}×{height} = {pixels / 1e6:0.#} MP (limit {MaxPixels / 1e6:0.#} MP)");
        return format;
    }

    /// <summary>
    /// ImageSharp's decoders check the token between segments, chunks and frames; a decoder that runs on without
    /// checking is caught by the clock afterwards, so an over-budget decode is rejected either way.
    /// </summary>
    private Image<Rgba32> DecodeFirstFrame(byte[] bytes, string name, IImageFormat format, CancellationToken cancellationToken)
    {
        var decoder = _configuration.ImageFormatsManager.FindDecoder(format);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(Limits.DecodeBudget);
        long start = Stopwatch.GetTimestamp();
        Image<Rgba32>? image;
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            image = decoder.Decode<Rgba32>(_configuration, stream, budget.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { throw TooSlow(name); }
        catch (Exception e) when (e is InvalidMemoryOperationException || e.InnerException is InvalidMemoryOperationException)
        {
            throw new ImageRejectedException(name, $"{format.Name} data needs more memory than the decode limit allows ({e.Message})", e);
        }
        catch (NotSupportedException e) { throw new ImageRejectedException(name, $"unsupported {format.Name} feature: {e.Message}", e); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new ImageRejectedException(name, $"corrupt or truncated {format.Name} data: {e.Message}", e);
        }
        if (image is null) throw new ImageRejectedException(name, $"corrupt or truncated {format.Name} data: no image in the file");
        if (Stopwatch.GetElapsedTime(start) > Limits.DecodeBudget)
        {
            image.Dispose();
            throw TooSlow(name);
        }
        // GIF stops after its first frame; other formats have only one here. Extra frames would only cost memory.
        for (int i = image.Frames.Count - 1; i > 0; i--) image.Frames.RemoveFrame(i);
        return image;
    }

    private ImageRejectedException TooSlow(string name) =>
        new(name, $"took longer than the {Limits.DecodeBudget.TotalSeconds:0.###} s decode limit");

    private void CheckBytes(string name, byte[] bytes)
    {
        CheckSize(name, bytes.Length);
        if (bytes.Length == 0) throw new ImageRejectedException(name, "empty file (0 bytes)");
    }

    private void CheckSize(string name, long length)
    {
        if (length > MaxFileBytes)
            throw new ImageRejectedException(name, $"file too large: {length / 1048576.0:0.#} MB (limit {MaxFileBytes / 1048576.0:0.#} MB)");
    }
}
