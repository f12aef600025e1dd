using System.Text;

namespace DeviseWeb.Engine.Features.Quantization;

/// <summary>One protobuf field as read: its number, wire type, and either a varint or the bytes it holds.</summary>
internal readonly record struct ProtoField(int Number, int Wire, ulong Varint, ReadOnlyMemory<byte> Bytes)
{
    public string Text => Encoding.UTF8.GetString(Bytes.Span);
}

/// <summary>The protobuf wire format, enough to read and write ONNX models without an ONNX or protobuf library.</summary>
internal static class ProtoWire
{
    public static IEnumerable<ProtoField> Read(ReadOnlyMemory<byte> bytes)
    {
        int at = 0;
        while (at < bytes.Length)
        {
            ulong key = ReadVarint(bytes.Span, ref at);
            int number = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: yield return new ProtoField(number, wire, ReadVarint(bytes.Span, ref at), default); break;
                case 1: yield return new ProtoField(number, wire, 0, bytes.Slice(at, 8)); at += 8; break;
                case 5: yield return new ProtoField(number, wire, 0, bytes.Slice(at, 4)); at += 4; break;
                case 2:
                    int length = (int)ReadVarint(bytes.Span, ref at);
                    yield return new ProtoField(number, wire, 0, bytes.Slice(at, length));
                    at += length;
                    break;
                default: throw new InvalidDataException($"ONNX model: unsupported protobuf wire type {wire}.");
            }
        }
    }

    /// <summary>A repeated integer field, packed (one length-delimited field) or not (one varint).</summary>
    public static IEnumerable<long> Integers(ProtoField field)
    {
        if (field.Wire == 0) { yield return (long)field.Varint; yield break; }
        int at = 0;
        while (at < field.Bytes.Length) yield return (long)ReadVarint(field.Bytes.Span, ref at);
    }

    public static void WriteVarint(Stream stream, int number, long value)
    {
        WriteRawVarint(stream, (ulong)number << 3);
        WriteRawVarint(stream, (ulong)value);
    }

    public static void WriteBytes(Stream stream, int number, ReadOnlySpan<byte> bytes)
    {
        WriteRawVarint(stream, ((ulong)number << 3) | 2);
        WriteRawVarint(stream, (ulong)bytes.Length);
        stream.Write(bytes);
    }

    public static void WriteText(Stream stream, int number, string text) => WriteBytes(stream, number, Encoding.UTF8.GetBytes(text));

    public static void WriteMessage(Stream stream, int number, Action<Stream> write)
    {
        using var message = new MemoryStream();
        write(message);
        WriteBytes(stream, number, message.GetBuffer().AsSpan(0, (int)message.Length));
    }

    public static void WriteFloat(Stream stream, int number, float value)
    {
        WriteRawVarint(stream, ((ulong)number << 3) | 5);
        Span<byte> bytes = stackalloc byte[4];
        BitConverter.TryWriteBytes(bytes, value);
        stream.Write(bytes);
    }

    /// <summary>A repeated integer field, packed.</summary>
    public static void WritePacked(Stream stream, int number, IEnumerable<long> values)
    {
        using var packed = new MemoryStream();
        foreach (long v in values) WriteRawVarint(packed, (ulong)v);
        WriteBytes(stream, number, packed.GetBuffer().AsSpan(0, (int)packed.Length));
    }

    /// <summary>The field as it was read, for fields a rewrite keeps untouched.</summary>
    public static void WriteField(Stream stream, ProtoField field)
    {
        switch (field.Wire)
        {
            case 0: WriteVarint(stream, field.Number, (long)field.Varint); break;
            case 2: WriteBytes(stream, field.Number, field.Bytes.Span); break;
            default:
                WriteRawVarint(stream, ((ulong)field.Number << 3) | (uint)field.Wire);
                stream.Write(field.Bytes.Span);
                break;
        }
    }

    private static void WriteRawVarint(Stream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        stream.WriteByte((byte)value);
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = bytes[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
    }
}
