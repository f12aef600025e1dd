namespace DeviseWeb.Tests.Hardening;

/// <summary>Surgery on real baseline JPEGs from ImageSharp's encoder: declared sizes and scan counts no encoder would write.</summary>
internal static class JpegBytes
{
    /// <summary>The same JPEG with its frame header (SOF0) declaring another size.</summary>
    public static byte[] Declaring(byte[] jpeg, int width, int height)
    {
        var copy = (byte[])jpeg.Clone();
        int sof = Find(copy, 0xC0);
        copy[sof + 5] = (byte)(height >> 8);
        copy[sof + 6] = (byte)height;
        copy[sof + 7] = (byte)(width >> 8);
        copy[sof + 8] = (byte)width;
        return copy;
    }

    /// <summary>
    /// A progressive JPEG (SOF2) whose first DC scan is followed by <paramref name="scans"/> - 1 more scans of one
    /// component: each a valid SOS header and a little entropy-coded data. A decoder that re-walks every block per scan
    /// spends scans × blocks on it.
    /// </summary>
    public static byte[] ProgressiveScanBomb(byte[] jpeg, int scans)
    {
        int sof = Find(jpeg, 0xC0), sos = Find(jpeg, 0xDA);
        var head = (byte[])jpeg[..sos].Clone();
        head[sof + 1] = 0xC2;
        using var output = new MemoryStream();
        output.Write(head);
        for (int i = 0; i < scans; i++)
        {
            // SOS, length 8: one component (id 1, tables 0/0), spectral 0..0, approximation 0/0; then one coded byte.
            output.Write([0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00]);
        }
        output.Write([0xFF, 0xD9]);
        return output.ToArray();
    }

    /// <summary>Offset of the first marker 0xFF <paramref name="marker"/> among the segments before the scan data.</summary>
    private static int Find(byte[] jpeg, byte marker)
    {
        int at = 2;
        while (at + 4 <= jpeg.Length)
        {
            if (jpeg[at + 1] == marker) return at;
            at += 2 + (jpeg[at + 2] << 8 | jpeg[at + 3]);
        }
        throw new InvalidOperationException($"Marker 0xFF{marker:X2} not found in the JPEG.");
    }
}
