using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace DeviseWeb.Tests.Hardening;

/// <summary>
/// Byte builders for the hostile corpus: real images from ImageSharp's encoders where a valid file is the point,
/// and hand-written containers (PNG chunks, GIF blocks, RIFF chunks, TIFF IFDs, JPEG segments) where the file must
/// lie about itself in a way no encoder would.
/// </summary>
internal static class HostileBytes
{
    /// <summary>A small real image, its colour picked by <paramref name="seed"/> so that every case has its own content hash.</summary>
    public static byte[] Encode(IImageEncoder encoder, int seed, int width = 16, int height = 16)
    {
        using var image = new Image<Rgba32>(width, height, new Rgba32((byte)(seed * 37), (byte)(seed * 91), (byte)(seed * 53 + 7)));
        image[0, 0] = new Rgba32((byte)seed, (byte)(seed >> 8), 200);
        using var output = new MemoryStream();
        image.Save(output, encoder);
        return output.ToArray();
    }

    public static byte[] Png(int seed) => Encode(new PngEncoder(), seed);
    public static byte[] Jpeg(int seed) => Encode(new JpegEncoder { Quality = 90 }, seed);
    public static byte[] Gif(int seed) => Encode(new GifEncoder(), seed);
    public static byte[] Bmp(int seed) => Encode(new BmpEncoder(), seed);
    public static byte[] Webp(int seed) => Encode(new WebpEncoder { FileFormat = WebpFileFormatType.Lossless }, seed);

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    // ---- PNG ----

    public static byte[] PngChunk(string type, ReadOnlySpan<byte> data, uint? declaredLength = null)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, declaredLength ?? (uint)data.Length);
        Encoding.ASCII.GetBytes(type, chunk.AsSpan(4, 4));
        data.CopyTo(chunk.AsSpan(8));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    /// <summary>A PNG whose header declares any size, with a little grey image data; only the header is meant to be read.</summary>
    public static byte[] PngDeclaring(uint width, uint height, int idatRows = 1)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth; colour type 0 (grey)
        var rows = new byte[(Math.Min(width, 4096) + 1) * Math.Max(1, idatRows)];
        return Concat(PngSignature, PngChunk("IHDR", header), PngChunk("IDAT", Zlib(rows)), PngChunk("IEND", []));
    }

    /// <summary>A real grey PNG of the given size, every pixel zero: megabytes of pixels from kilobytes of file.</summary>
    public static byte[] PngFlat(int width, int height)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)height);
        header[8] = 8;
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            var row = new byte[width + 1];
            for (int y = 0; y < height; y++) zlib.Write(row);
        }
        return Concat(PngSignature, PngChunk("IHDR", header), PngChunk("IDAT", compressed.ToArray()), PngChunk("IEND", []));
    }

    /// <summary>Inserts chunks right after IHDR (signature 8 bytes + IHDR 25 bytes), where metadata chunks usually sit.</summary>
    public static byte[] PngWithChunksAfterHeader(byte[] png, params byte[][] chunks) =>
        Concat(png[..33], Concat(chunks), png[33..]);

    public static byte[] Zlib(ReadOnlySpan<byte> data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(data);
        return output.ToArray();
    }

    /// <summary>zTXt: keyword, NUL, compression method 0, then zlib data that inflates to <paramref name="inflatedBytes"/> of zeros.</summary>
    public static byte[] ZtxtBomb(int inflatedBytes)
    {
        using var output = new MemoryStream();
        output.Write("Comment\0\0"u8);
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (int written = 0; written < inflatedBytes; written += zeros.Length) zlib.Write(zeros);
        }
        return PngChunk("zTXt", output.ToArray());
    }

    private static byte[] PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint c = 0xFFFFFFFFu;
        foreach (var b in bytes) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }

    // ---- GIF ----

    /// <summary>
    /// A GIF89a with a <paramref name="canvasWidth"/>×<paramref name="canvasHeight"/> logical screen and
    /// <paramref name="frames"/> frames of <paramref name="frameWidth"/>×<paramref name="frameHeight"/>, each a single
    /// LZW-coded pixel (clear, 0, end): the frame bomb that grew the app to 6.3 GB when every frame was decoded at canvas size.
    /// </summary>
    public static byte[] GifFrames(int canvasWidth, int canvasHeight, int frames, int frameWidth = 1, int frameHeight = 1)
    {
        using var gif = new MemoryStream();
        gif.Write("GIF89a"u8);
        WriteLe16(gif, canvasWidth);
        WriteLe16(gif, canvasHeight);
        gif.Write([0x80, 0, 0]); // global colour table of 2 entries
        gif.Write([0, 0, 0, 255, 255, 255]);
        for (int i = 0; i < frames; i++)
        {
            gif.Write([0x21, 0xF9, 0x04, 0x00, 0x0A, 0x00, 0x00, 0x00]); // graphic control: 0.1 s
            gif.WriteByte(0x2C);
            WriteLe16(gif, i % Math.Max(1, canvasWidth));
            WriteLe16(gif, 0);
            WriteLe16(gif, frameWidth);
            WriteLe16(gif, frameHeight);
            gif.WriteByte(0);
            gif.Write([0x02, 0x02, 0x44, 0x01, 0x00]); // LZW minimum code size 2; one sub-block: clear, 0, end
        }
        gif.WriteByte(0x3B);
        return gif.ToArray();
    }

    private static void WriteLe16(Stream stream, int value)
    {
        stream.WriteByte((byte)value);
        stream.WriteByte((byte)(value >> 8));
    }

    // ---- WebP ----

    /// <summary>An animated WebP: VP8X (animation flag), ANIM, then <paramref name="frames"/> ANMF frames each holding a real 1×1 VP8L image.</summary>
    public static byte[] WebpAnimated(int canvasWidth, int canvasHeight, int frames)
    {
        var still = Encode(new WebpEncoder { FileFormat = WebpFileFormatType.Lossless }, 3, 1, 1);
        var vp8l = still[12..]; // the VP8L chunk, header included
        var vp8x = new byte[10];
        vp8x[0] = 0x02; // animation
        WriteLe24(vp8x.AsSpan(4), canvasWidth - 1);
        WriteLe24(vp8x.AsSpan(7), canvasHeight - 1);
        var body = new MemoryStream();
        body.Write(RiffChunk("VP8X", vp8x));
        body.Write(RiffChunk("ANIM", [0, 0, 0, 0, 0, 0]));
        for (int i = 0; i < frames; i++)
        {
            var frame = new byte[16 + vp8l.Length];
            WriteLe24(frame.AsSpan(12), 100); // duration
            vp8l.CopyTo(frame.AsSpan(16));
            body.Write(RiffChunk("ANMF", frame));
        }
        return Riff(body.ToArray());
    }

    /// <summary>A WebP holding only a VP8L header that declares the given size (up to 16384 a side).</summary>
    public static byte[] WebpDeclaring(int width, int height)
    {
        var data = new byte[5 + 32];
        data[0] = 0x2F;
        uint bits = (uint)(width - 1) | ((uint)(height - 1) << 14);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(1), bits);
        return Riff(RiffChunk("VP8L", data));
    }

    public static byte[] RiffChunk(string type, byte[] data, uint? declaredLength = null)
    {
        var chunk = new byte[8 + data.Length + (data.Length & 1)];
        Encoding.ASCII.GetBytes(type, chunk.AsSpan(0, 4));
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), declaredLength ?? (uint)data.Length);
        data.CopyTo(chunk.AsSpan(8));
        return chunk;
    }

    public static byte[] Riff(byte[] body)
    {
        var header = new byte[12];
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)(body.Length + 4));
        "WEBP"u8.CopyTo(header.AsSpan(8));
        return Concat(header, body);
    }

    private static void WriteLe24(Span<byte> span, int value)
    {
        span[0] = (byte)value;
        span[1] = (byte)(value >> 8);
        span[2] = (byte)(value >> 16);
    }
}
