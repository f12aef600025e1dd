using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace DeviseWeb.Tests.Hardening;

/// <summary>Hand-written files in formats ImageSharp knows but the app does not accept (TIFF, TGA, PBM), and a real ZIP for polyglots.</summary>
internal static class ForeignBytes
{
    /// <summary>
    /// A little-endian multi-page TIFF: <paramref name="pages"/> IFDs of <paramref name="width"/>×<paramref name="height"/>
    /// grey pixels, all pointing at the same one-byte strip. Every page would be a full-size frame if it were decoded.
    /// </summary>
    public static byte[] TiffPages(int width, int height, int pages)
    {
        const int entries = 8, ifdBytes = 2 + entries * 12 + 4;
        int stripOffset = 8 + pages * ifdBytes;
        var tiff = new byte[stripOffset + 1];
        "II"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), 8);
        for (int page = 0; page < pages; page++)
        {
            var ifd = tiff.AsSpan(8 + page * ifdBytes);
            BinaryPrimitives.WriteUInt16LittleEndian(ifd, entries);
            (ushort Tag, ushort Type, uint Value)[] fields =
            [
                (256, 4, (uint)width), (257, 4, (uint)height), (258, 3, 8), (259, 3, 1),
                (262, 3, 1), (273, 4, (uint)stripOffset), (278, 4, (uint)height), (279, 4, 1),
            ];
            for (int i = 0; i < entries; i++)
            {
                var entry = ifd.Slice(2 + i * 12, 12);
                BinaryPrimitives.WriteUInt16LittleEndian(entry, fields[i].Tag);
                BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], fields[i].Type);
                BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], 1);
                if (fields[i].Type == 3) BinaryPrimitives.WriteUInt16LittleEndian(entry[8..], (ushort)fields[i].Value);
                else BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], fields[i].Value);
            }
            uint next = page + 1 < pages ? (uint)(8 + (page + 1) * ifdBytes) : 0;
            BinaryPrimitives.WriteUInt32LittleEndian(ifd[(2 + entries * 12)..], next);
        }
        return tiff;
    }

    /// <summary>An uncompressed true-colour TGA.</summary>
    public static byte[] Tga(int width, int height)
    {
        var tga = new byte[18 + width * height * 3];
        tga[2] = 2; // uncompressed true colour
        BinaryPrimitives.WriteUInt16LittleEndian(tga.AsSpan(12), (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(tga.AsSpan(14), (ushort)height);
        tga[16] = 24;
        tga[17] = 0x20; // top-left origin
        for (int i = 18; i < tga.Length; i++) tga[i] = (byte)(i * 7);
        return tga;
    }

    /// <summary>A binary PBM (P4) bitmap.</summary>
    public static byte[] Pbm(int width, int height)
    {
        var header = Encoding.ASCII.GetBytes($"P4\n{width} {height}\n");
        var bits = Enumerable.Repeat((byte)0xAA, (width + 7) / 8 * height).ToArray();
        return [.. header, .. bits];
    }

    /// <summary>A real ZIP archive holding one small HTML file: appended to an image it makes a polyglot.</summary>
    public static byte[] Zip()
    {
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = archive.CreateEntry("index.html").Open();
            entry.Write(Encoding.UTF8.GetBytes(Html));
        }
        return output.ToArray();
    }

    public const string Html = "<!doctype html><html><body><script>alert(document.cookie)</script></body></html>";
}
