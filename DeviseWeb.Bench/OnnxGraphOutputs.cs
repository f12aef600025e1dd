namespace DeviseWeb.Bench;

/// <summary>
/// Adds outputs to an ONNX model's graph, in its protobuf bytes: an intermediate tensor (the backbone's map before
/// pooling) then comes out of the same single run. ModelProto field 7 is the graph; GraphProto field 12 its outputs,
/// each a ValueInfoProto (1: name, 2: type; here a float tensor of any shape).
/// </summary>
internal static class OnnxGraphOutputs
{
    public static byte[] Add(byte[] model, IReadOnlyList<string> names)
    {
        using var result = new MemoryStream();
        int at = 0;
        bool found = false;
        while (at < model.Length)
        {
            int start = at;
            ulong key = ReadVarint(model, ref at);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            int valueStart = at;
            int length = wire switch
            {
                0 => SkipVarint(model, ref at),
                1 => 8,
                2 => (int)ReadVarint(model, ref at),
                5 => 4,
                _ => throw new InvalidDataException($"ONNX model: unsupported protobuf wire type {wire}."),
            };
            if (wire == 2) valueStart = at;
            at = (wire == 0 ? at : valueStart + length);
            if (field == 7 && wire == 2)
            {
                found = true;
                using var graph = new MemoryStream();
                graph.Write(model, valueStart, length);
                foreach (var name in names) WriteBytes(graph, 12, ValueInfo(name));
                WriteBytes(result, 7, graph.ToArray());
            }
            else result.Write(model, start, at - start);
        }
        if (!found) throw new InvalidDataException("ONNX model: no graph.");
        return result.ToArray();
    }

    private static byte[] ValueInfo(string name)
    {
        using var info = new MemoryStream();
        WriteBytes(info, 1, System.Text.Encoding.UTF8.GetBytes(name));
        using var tensor = new MemoryStream();
        WriteVarint(tensor, (1 << 3) | 0);
        WriteVarint(tensor, 1); // elem_type FLOAT
        using var type = new MemoryStream();
        WriteBytes(type, 1, tensor.ToArray());
        WriteBytes(info, 2, type.ToArray());
        return info.ToArray();
    }

    private static void WriteBytes(Stream stream, int field, byte[] bytes)
    {
        WriteVarint(stream, ((ulong)field << 3) | 2);
        WriteVarint(stream, (ulong)bytes.Length);
        stream.Write(bytes);
    }

    private static void WriteVarint(Stream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        stream.WriteByte((byte)value);
    }

    private static ulong ReadVarint(byte[] bytes, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = bytes[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
    }

    private static int SkipVarint(byte[] bytes, ref int at)
    {
        int start = at;
        ReadVarint(bytes, ref at);
        return at - start;
    }
}
