namespace DeviseWeb.Tests.Hardening;

public enum Outcome { Decoded, Rejected }

/// <summary>
/// One hostile file: the name a client gives it, its bytes (built on first use, never committed), what the loader must
/// make of it and, as a pattern, why. <see cref="Label"/> is sent with the upload; a label the label rule refuses makes
/// the upload a rejection although the file itself decodes.
/// </summary>
public sealed record HostileCase(string Id, string FileName, Outcome Expected, string? Reason, Func<byte[]> Build)
{
    private readonly Lazy<byte[]> _bytes = new(Build);

    public byte[] Bytes => _bytes.Value;
    public string? Label { get; init; }
    public Outcome? UploadExpected { get; init; }
    public string? UploadReason { get; init; }

    /// <summary>
    /// The multipart layer (not the decoder) may refuse this upload, e.g. part headers past its length limit or a part
    /// without a file name; a clean import and a clean 4xx are then both right.
    /// </summary>
    public bool UploadEitherWay { get; init; }

    public Outcome Upload => UploadExpected ?? Expected;
    public string? UploadReasonPattern => UploadReason ?? Reason;

    public override string ToString() => Id;
}

/// <summary>
/// The hostile-file corpus: frame, metadata, scan and decompression bombs; lying headers and chunk lengths; formats
/// the app does not accept under an accepted extension; polyglots; files at the size limit; hostile file names and labels.
/// Every file is generated here, so the repository holds no binary that a scanner or a person could trip over.
/// </summary>
public static class HostileCorpus
{
    public const int FiftyMegabytes = 50 * 1024 * 1024;
    private const string NotSupported = "not a supported image";
    private const string LabelRefused = "invisible or control character|comma|bytes long";

    public static IReadOnlyList<HostileCase> All { get; } = Build();

    public static HostileCase Get(string id) => All.Single(c => c.Id == id);

    private static List<HostileCase> Build()
    {
        int seed = 0;
        byte[] Png() => HostileBytes.Png(++seed);
        var decoded = Outcome.Decoded;
        var rejected = Outcome.Rejected;
        return
        [
            // Plain files in each accepted format, and a BMP under a JPEG name (BMP is accepted; the extension is not trusted).
            new("png", "plain.png", decoded, null, Png),
            new("jpeg", "plain.jpg", decoded, null, () => HostileBytes.Jpeg(++seed)),
            new("gif", "plain.gif", decoded, null, () => HostileBytes.Gif(++seed)),
            new("webp", "plain.webp", decoded, null, () => HostileBytes.Webp(++seed)),
            new("bmp", "plain.bmp", decoded, null, () => HostileBytes.Bmp(++seed)),
            new("bmp-renamed-jpg", "bitmap.jpg", decoded, null, () => HostileBytes.Bmp(++seed)),

            // Frame bombs. 11.5 KB of GIF, 500 frames on a 6000×6000 canvas: 6.3 GB when every frame was decoded.
            new("gif-frame-bomb", "frames.gif", decoded, null, () => HostileBytes.GifFrames(6000, 6000, 500)),
            new("gif-frame-bomb-over-limit", "frames-big.gif", rejected, "too many pixels", () => HostileBytes.GifFrames(7000, 7000, 500)),
            new("gif-frame-beyond-limits", "frame-huge.gif", rejected, "GIF frame 1 is 60000×60000", () => HostileBytes.GifFrames(10, 10, 2, 60000, 60000)),
            new("webp-animated-bomb", "frames.webp", rejected, "animated WebP", () => HostileBytes.WebpAnimated(6000, 6000, 500)),
            new("tiff-page-bomb", "pages.tif", rejected, NotSupported + ".*TIFF", () => ForeignBytes.TiffPages(6000, 6000, 500)),

            // Metadata: a zTXt that inflates to 256 MB is skipped, not inflated; lying or oversized chunks are refused.
            new("png-ztxt-bomb", "ztxt-bomb.png", decoded, null, () => HostileBytes.PngWithChunksAfterHeader(Png(), HostileBytes.ZtxtBomb(256 << 20))),
            new("png-ztxt-declares-2gb", "ztxt-2gb.png", rejected, "chunk 'zTXt' declares 2048 MB",
                () => HostileBytes.PngWithChunksAfterHeader(Png(), HostileBytes.PngChunk("zTXt", "Comment\0\0x"u8, declaredLength: 0x8000_0000))),
            new("png-iccp-9mb", "iccp.png", rejected, "'iCCP' metadata chunk of 9 MB exceeds",
                () => HostileBytes.PngWithChunksAfterHeader(Png(), HostileBytes.PngChunk("iCCP", new byte[9 << 20]))),
            new("webp-chunk-past-end", "lying.webp", rejected, "corrupt or truncated WebP data: chunk 'VP8L' declares", () => WebpWithChunkLength(HostileBytes.Webp(++seed), 0x7FFF_FFF0)),

            // Declared dimensions.
            new("png-0x0", "zero.png", rejected, "no pixels|unreadable image header", () => HostileBytes.PngDeclaring(0, 0)),
            new("png-40001x1000", "wide.png", rejected, "side too long: 40001×1000", () => HostileBytes.PngDeclaring(40_001, 1_000)),
            new("png-1x40000001", "tall.png", rejected, "side too long: 1×40000001", () => HostileBytes.PngDeclaring(1, 40_000_001)),
            new("png-48mp", "big.png", rejected, "too many pixels: 8000×6000", () => HostileBytes.PngDeclaring(8_000, 6_000)),
            new("png-at-pixel-limit", "limit.png", decoded, null, () => HostileBytes.PngFlat(8_000, 5_000)),
            new("bmp-40001x1000", "wide.bmp", rejected, "side too long: 40001×1000", () => BmpDeclaring(HostileBytes.Bmp(++seed), 40_001, 1_000)),
            new("webp-16383-square", "big.webp", rejected, "too many pixels: 16383×16383", () => HostileBytes.WebpDeclaring(16_383, 16_383)),
            new("jpeg-65000-square", "big.jpg", rejected, "side too long: 65000×65000", () => JpegBytes.Declaring(HostileBytes.Jpeg(++seed), 65_000, 65_000)),

            // A progressive JPEG with 1,000 scans.
            new("jpeg-1000-scans", "scans.jpg", rejected, "more than 100 scans", () => JpegBytes.ProgressiveScanBomb(HostileBytes.Jpeg(++seed), 1_000)),

            // Empty, truncated, wrong magic, formats not accepted.
            new("zero-bytes", "empty.png", rejected, "empty file", () => []),
            new("png-truncated", "cut.png", rejected, "corrupt or truncated", () => Half(HostileBytes.Encode(new SixLabors.ImageSharp.Formats.Png.PngEncoder(), ++seed, 64, 64))),
            new("gif-truncated", "cut.gif", rejected, "corrupt or truncated", () => HostileBytes.GifFrames(10, 10, 1)[..19]),
            new("jpeg-truncated", "cut.jpg", rejected, "corrupt or truncated", () => JpegHeadersOnly(HostileBytes.Jpeg(++seed))),
            new("text-as-png", "notes.png", rejected, NotSupported, () => HostileBytes.Ascii("this is not a picture\n")),
            new("html-as-jpg", "page.jpg", rejected, NotSupported, () => HostileBytes.Ascii(ForeignBytes.Html)),
            new("png-wrong-magic", "magic.png", rejected, NotSupported, () => { var b = Png(); b[1] = (byte)'Q'; return b; }),
            new("tiff-renamed-jpg", "tiff.jpg", rejected, NotSupported + ".*TIFF", () => ForeignBytes.TiffPages(8, 8, 1)),
            new("tga-renamed-jpg", "tga.jpg", rejected, NotSupported, () => ForeignBytes.Tga(8, 8)),
            new("pbm-renamed-jpg", "pbm.jpg", rejected, NotSupported, () => ForeignBytes.Pbm(8, 8)),

            // Polyglots decode as the image they start with; the stored original is served with its image type and nosniff.
            new("polyglot-png-zip", "polyglot-zip.png", decoded, null, () => HostileBytes.Concat(Png(), ForeignBytes.Zip())),
            new("polyglot-png-html", "polyglot-html.png", decoded, null, () => HostileBytes.Concat(Png(), HostileBytes.Ascii(ForeignBytes.Html))),
            new("polyglot-gif-html", "polyglot.gif", decoded, null, () => HostileBytes.Concat(HostileBytes.Gif(++seed), HostileBytes.Ascii(ForeignBytes.Html))),
            new("polyglot-jpeg-zip", "polyglot.jpg", decoded, null, () => HostileBytes.Concat(HostileBytes.Jpeg(++seed), ForeignBytes.Zip())),

            // Sizes at the 50 MB limit (a real PNG followed by padding).
            new("just-under-50mb", "under.png", decoded, null, () => PaddedTo(Png(), FiftyMegabytes - 1024)),
            new("exactly-50mb", "exact.png", decoded, null, () => PaddedTo(Png(), FiftyMegabytes)),
            new("just-over-50mb", "over.png", rejected, "file too large", () => PaddedTo(Png(), FiftyMegabytes + 1)) { UploadReason = "too large|larger than" },

            // Hostile names on good files: shown made safe, never used as a path.
            new("name-dot-dot", "../../../../tmp/devise-escape.png", decoded, null, Png),
            new("name-backslash", "..\\..\\devise-escape-windows.png", decoded, null, Png),
            new("name-nul", "nul\0byte.png", decoded, null, Png),
            new("name-escape-codes", "esc\u001b[31mred\u001b[0m.png", decoded, null, Png),
            new("name-crlf", "crlf\r\nSet-Cookie: hacked=1.png", decoded, null, Png),
            new("name-16kb", new string('n', 16 * 1024) + ".png", decoded, null, Png) { UploadEitherWay = true },
            new("name-bidi", "photo\u202Egnp.exe", decoded, null, Png),
            new("name-zero-width", "zero\u200Bwidth\uFEFF.png", decoded, null, Png),
            new("name-empty", "", decoded, null, Png) { UploadEitherWay = true },

            // Hostile labels on good files: the label rule refuses them, the upload says why.
            new("label-control", "label-control.png", decoded, null, Png) { Label = "bell\u0007label", UploadExpected = rejected, UploadReason = LabelRefused },
            new("label-bidi", "label-bidi.png", decoded, null, Png) { Label = "\u202Eevil", UploadExpected = rejected, UploadReason = LabelRefused },
            new("label-zero-width", "label-zw.png", decoded, null, Png) { Label = "zero\u200Bwidth", UploadExpected = rejected, UploadReason = LabelRefused },
            new("label-comma", "label-comma.png", decoded, null, Png) { Label = "one, two", UploadExpected = rejected, UploadReason = LabelRefused },
            new("label-2000-chars", "label-long.png", decoded, null, Png) { Label = new string('x', 2000), UploadExpected = rejected, UploadReason = LabelRefused },
            new("label-unicode", "label-unicode.png", decoded, null, Png) { Label = "Écureuil roux" },
        ];
    }

    private static byte[] Half(byte[] bytes) => bytes[..(bytes.Length / 2)];

    private static byte[] PaddedTo(byte[] image, int length) => HostileBytes.Concat(image, new byte[length - image.Length]);

    /// <summary>The JPEG's segments up to its first scan, and nothing after: tables and a frame header but no image data.</summary>
    private static byte[] JpegHeadersOnly(byte[] jpeg)
    {
        int at = 2;
        while (jpeg[at + 1] != 0xDA) at += 2 + (jpeg[at + 2] << 8 | jpeg[at + 3]);
        return jpeg[..at];
    }

    private static byte[] BmpDeclaring(byte[] bmp, int width, int height)
    {
        var copy = (byte[])bmp.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(18), width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(22), height);
        return copy;
    }

    private static byte[] WebpWithChunkLength(byte[] webp, uint length)
    {
        if (!webp.AsSpan(12, 4).SequenceEqual("VP8L"u8)) throw new InvalidOperationException("Expected a simple lossless WebP (VP8L first).");
        var copy = (byte[])webp.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(16), length);
        return copy;
    }
}
