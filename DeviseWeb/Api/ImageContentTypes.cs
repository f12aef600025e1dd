namespace DeviseWeb.Api;

/// <summary>Content types for stored images, from the extension the engine chose or, for extensionless reference files, the first bytes.</summary>
public static class ImageContentTypes
{
    public static string FromExtension(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".jpg" or ".jpeg" => "image/jpeg",
        ".png" => "image/png",
        ".webp" => "image/webp",
        ".gif" => "image/gif",
        // Before the loader named BMP originals ".bmp" they were stored as ".bm" (ImageSharp's first BMP extension).
        ".bmp" or ".bm" or ".dib" => "image/bmp",
        _ => "application/octet-stream",
    };

    public static string Sniff(string path)
    {
        Span<byte> head = stackalloc byte[12];
        using (var stream = File.OpenRead(path)) head = head[..stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return "image/jpeg";
        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47])) return "image/png";
        if (head.StartsWith("GIF8"u8)) return "image/gif";
        if (head.StartsWith("BM"u8)) return "image/bmp";
        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8)) return "image/webp";
        return "application/octet-stream";
    }
}
