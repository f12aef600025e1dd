namespace DeviseWeb.Engine.Imaging;

/// <summary>What one untrusted file may cost to decode: bytes, pixels, side length, time, and how many decode at once.</summary>
public sealed record DecodeLimits
{
    /// <summary>Files larger than this are rejected before decoding. Default 50 MB.</summary>
    public long MaxFileBytes { get; init; } = 50L * 1024 * 1024;

    /// <summary>Images with more pixels than this are rejected before decoding. Default 40 megapixels.</summary>
    public long MaxPixels { get; init; } = 40_000_000;

    /// <summary>Images wider or taller than this are rejected before decoding. Default 30,000.</summary>
    public int MaxSide { get; init; } = 30_000;

    /// <summary>Decodes running at once; further callers wait. Default: one per processor.</summary>
    public int MaxConcurrentDecodes { get; init; } = Environment.ProcessorCount;

    /// <summary>How long one decode may take. Default 10 s.</summary>
    public TimeSpan DecodeBudget { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest metadata chunk (PNG ancillary, WebP ICCP/EXIF/XMP) a file may carry. Default 8 MB.</summary>
    public int MaxMetadataChunkBytes { get; init; } = 8 << 20;

    /// <summary>The most scans a JPEG may hold; real progressive files use about ten. Default 100.</summary>
    public int MaxJpegScans { get; init; } = 100;

    public static DecodeLimits From(EngineOptions options) => new()
    {
        MaxFileBytes = options.MaxFileBytes,
        MaxPixels = options.MaxPixels,
        MaxSide = options.MaxImageSide,
        MaxConcurrentDecodes = options.MaxConcurrentDecodes > 0 ? options.MaxConcurrentDecodes : Environment.ProcessorCount,
        DecodeBudget = TimeSpan.FromSeconds(options.DecodeTimeoutSeconds),
    };
}
