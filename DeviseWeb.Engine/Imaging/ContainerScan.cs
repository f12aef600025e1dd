using System.Buffers.Binary;

namespace DeviseWeb.Engine.Imaging;

/// <summary>
/// One linear pass over a file's container (PNG chunks, GIF blocks, WebP chunks, JPEG markers) before any decoder
/// sees it: a declared length that runs past the end, an oversized metadata chunk, a GIF frame beyond the limits,
/// an animated WebP (ImageSharp 2.1 cannot decode only its first frame) or a JPEG scan bomb is refused here, from
/// bytes already in memory and without allocating. Anything this pass does not understand is left to the decoder.
/// </summary>
internal static class ContainerScan
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Null when the structure may go to the decoder; otherwise why the file is rejected.</summary>
    public static string? Check(ReadOnlySpan<byte> bytes, DecodeLimits limits)
    {
        if (bytes.StartsWith(PngSignature)) return Png(bytes, limits);
        if (bytes.StartsWith("GIF87a"u8) || bytes.StartsWith("GIF89a"u8)) return Gif(bytes, limits);
        if (bytes.Length >= 12 && bytes.StartsWith("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8)) return Webp(bytes, limits);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return Jpeg(bytes, limits);
        return null;
    }

    private static string? Png(ReadOnlySpan<byte> bytes, DecodeLimits limits)
    {
        long at = PngSignature.Length;
        while (at + 12 <= bytes.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(bytes[(int)at..]);
            var type = bytes.Slice((int)at + 4, 4);
            long remaining = bytes.Length - at - 12;
            if (length > remaining)
                return $"corrupt or truncated PNG data: chunk {FourCc(type)} declares {Size(length)} but only {Size(remaining)} follow";
            // Bit 5 of the first type byte marks an ancillary chunk: metadata, never pixels.
            if ((type[0] & 0x20) != 0 && length > limits.MaxMetadataChunkBytes)
                return $"PNG {FourCc(type)} metadata chunk of {Size(length)} exceeds the {Size(limits.MaxMetadataChunkBytes)} limit";
            if (type.SequenceEqual("IEND"u8)) return null;
            at += 12 + length;
        }
        return null;
    }

    private static string? Gif(ReadOnlySpan<byte> bytes, DecodeLimits limits)
    {
        const int headerAndScreen = 13;
        if (bytes.Length < headerAndScreen) return null;
        long at = headerAndScreen + ColorTableBytes(bytes[10]);
        int frames = 0;
        while (at < bytes.Length)
        {
            switch (bytes[(int)at])
            {
                case 0x21: // extension: introducer, label, sub-blocks
                    at = SkipSubBlocks(bytes, at + 2);
                    break;
                case 0x2C: // image descriptor
                    if (at + 10 > bytes.Length) return null;
                    var descriptor = bytes[(int)at..];
                    int width = BinaryPrimitives.ReadUInt16LittleEndian(descriptor[5..]), height = BinaryPrimitives.ReadUInt16LittleEndian(descriptor[7..]);
                    frames++;
                    if (width > limits.MaxSide || height > limits.MaxSide || (long)width * height > limits.MaxPixels)
                        return $"GIF frame {frames} is {width}×{height}, beyond the limits ({limits.MaxSide} px a side, {limits.MaxPixels / 1e6:0.#} MP)";
                    at = SkipSubBlocks(bytes, at + 10 + ColorTableBytes(descriptor[9]) + 1); // + LZW minimum code size
                    break;
                default: // trailer, or something the decoder will judge
                    return null;
            }
        }
        return null;
    }

    private static string? Webp(ReadOnlySpan<byte> bytes, DecodeLimits limits)
    {
        long at = 12;
        while (at + 8 <= bytes.Length)
        {
            var type = bytes.Slice((int)at, 4);
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[((int)at + 4)..]);
            long remaining = bytes.Length - at - 8;
            if (length > remaining)
                return $"corrupt or truncated WebP data: chunk {FourCc(type)} declares {Size(length)} but only {Size(remaining)} follow";
            if (type.SequenceEqual("ANIM"u8) || type.SequenceEqual("ANMF"u8))
                return "animated WebP is not supported (only still WebP images are)";
            bool metadata = type.SequenceEqual("ICCP"u8) || type.SequenceEqual("EXIF"u8) || type.SequenceEqual("XMP "u8);
            if (metadata && length > limits.MaxMetadataChunkBytes)
                return $"WebP {FourCc(type)} metadata chunk of {Size(length)} exceeds the {Size(limits.MaxMetadataChunkBytes)} limit";
            at += 8 + length + (length & 1);
        }
        return null;
    }

    private static string? Jpeg(ReadOnlySpan<byte> bytes, DecodeLimits limits)
    {
        int at = 2, scans = 0;
        while (at + 4 <= bytes.Length)
        {
            if (bytes[at] != 0xFF) return null;
            byte marker = bytes[at + 1];
            if (marker == 0xFF) { at++; continue; } // fill byte
            if (marker == 0xD9) return null; // end of image
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) { at += 2; continue; } // no length field
            int length = BinaryPrimitives.ReadUInt16BigEndian(bytes[(at + 2)..]);
            if (length < 2) return null;
            at += 2 + length;
            if (marker != 0xDA) continue;
            if (++scans > limits.MaxJpegScans)
                return $"JPEG with more than {limits.MaxJpegScans} scans (a progressive scan bomb)";
            at = EndOfEntropyData(bytes, at);
        }
        return null;
    }

    /// <summary>Entropy-coded data runs to the first 0xFF that is neither a stuffed zero nor a restart marker.</summary>
    private static int EndOfEntropyData(ReadOnlySpan<byte> bytes, int at)
    {
        while (at < bytes.Length - 1)
        {
            int next = bytes[at..].IndexOf((byte)0xFF);
            if (next < 0 || at + next + 1 >= bytes.Length) return bytes.Length;
            at += next;
            byte following = bytes[at + 1];
            if (following != 0 && following is not (>= 0xD0 and <= 0xD7)) return at;
            at += 2;
        }
        return bytes.Length;
    }

    private static long SkipSubBlocks(ReadOnlySpan<byte> bytes, long at)
    {
        while (at < bytes.Length)
        {
            int size = bytes[(int)at];
            at += 1 + size;
            if (size == 0) break;
        }
        return at;
    }

    private static int ColorTableBytes(byte packed) => (packed & 0x80) != 0 ? 3 << ((packed & 7) + 1) : 0;

    /// <summary>A chunk type as text when it is ASCII letters, digits or spaces, else as hex (a hostile file picks these bytes).</summary>
    private static string FourCc(ReadOnlySpan<byte> type)
    {
        foreach (var b in type)
            if (!char.IsAsciiLetterOrDigit((char)b) && b != ' ') return "0x" + Convert.ToHexString(type);
        return "'" + System.Text.Encoding.ASCII.GetString(type) + "'";
    }

    private static string Size(long bytes) => bytes >= 1 << 20 ? $"{bytes / 1048576.0:0.#} MB" : $"{bytes:N0} bytes";
}
