using System.Runtime.InteropServices;
using System.Text;

namespace DeviseWeb.Bench;

/// <summary>A node of an ONNX graph: its operator, inputs, outputs and integer-list attributes (strides, pads).</summary>
internal sealed record OnnxNode(string Op, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IReadOnlyDictionary<string, long[]> Ints);

/// <summary>
/// Reads an ONNX model's graph from its protobuf bytes, no ONNX library needed: ModelProto field 7 is the graph;
/// GraphProto field 1 its nodes (NodeProto 1: input, 2: output, 4: op type, 5: attribute; AttributeProto 1: name,
/// 3: int, 8: ints) and field 5 its initialisers (TensorProto 1: dims, 4: float data, 8: name, 9: raw data).
/// </summary>
internal static class OnnxProto
{
    public static IReadOnlyList<OnnxNode> Nodes(byte[] model)
    {
        var nodes = new List<OnnxNode>();
        foreach (var node in Graph(model).Where(f => f.Field == 1))
        {
            var inputs = new List<string>();
            var outputs = new List<string>();
            string op = "";
            var ints = new Dictionary<string, long[]>(StringComparer.Ordinal);
            foreach (var f in Fields(node.Bytes))
            {
                if (f.Field == 1) inputs.Add(Encoding.UTF8.GetString(f.Bytes));
                else if (f.Field == 2) outputs.Add(Encoding.UTF8.GetString(f.Bytes));
                else if (f.Field == 4) op = Encoding.UTF8.GetString(f.Bytes);
                else if (f.Field == 5)
                {
                    string name = "";
                    var values = new List<long>();
                    foreach (var a in Fields(f.Bytes))
                    {
                        if (a.Field == 1) name = Encoding.UTF8.GetString(a.Bytes);
                        else if (a.Field is 3 or 8) values.AddRange(a.Wire == 0 ? [(long)a.Varint] : Packed(a.Bytes));
                    }
                    ints[name] = [.. values];
                }
            }
            nodes.Add(new OnnxNode(op, inputs, outputs, ints));
        }
        return nodes;
    }

    public static Dictionary<string, (long[] Dims, float[] Data)> Initializers(byte[] model, IReadOnlySet<string> names)
    {
        var result = new Dictionary<string, (long[], float[])>(StringComparer.Ordinal);
        foreach (var tensor in Graph(model).Where(f => f.Field == 5))
        {
            var dims = new List<long>();
            string name = "";
            float[]? data = null;
            foreach (var f in Fields(tensor.Bytes))
            {
                if (f.Field == 1) dims.AddRange(f.Wire == 0 ? [(long)f.Varint] : Packed(f.Bytes));
                else if (f.Field == 8) name = Encoding.UTF8.GetString(f.Bytes);
                else if (f.Field is 4 or 9 && f.Wire == 2) data = MemoryMarshal.Cast<byte, float>(f.Bytes).ToArray();
            }
            if (names.Contains(name)) result[name] = ([.. dims], data ?? throw new InvalidDataException($"ONNX initialiser {name} has no float data."));
        }
        return result;
    }

    private static IEnumerable<(int Field, int Wire, ulong Varint, byte[] Bytes)> Graph(byte[] model) =>
        Fields(model).Where(f => f.Field == 7 && f.Wire == 2).SelectMany(g => Fields(g.Bytes));

    private static IEnumerable<(int Field, int Wire, ulong Varint, byte[] Bytes)> Fields(byte[] bytes)
    {
        int at = 0;
        while (at < bytes.Length)
        {
            ulong key = Varint(bytes, ref at);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: yield return (field, wire, Varint(bytes, ref at), []); break;
                case 1: at += 8; break;
                case 5: at += 4; break;
                case 2:
                    int length = (int)Varint(bytes, ref at);
                    var slice = bytes.AsSpan(at, length).ToArray();
                    at += length;
                    yield return (field, wire, 0, slice);
                    break;
                default: throw new InvalidDataException($"ONNX model: unsupported protobuf wire type {wire}.");
            }
        }
    }

    private static List<long> Packed(byte[] bytes)
    {
        var values = new List<long>();
        int at = 0;
        while (at < bytes.Length) values.Add((long)Varint(bytes, ref at));
        return values;
    }

    private static ulong Varint(byte[] bytes, ref int at)
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
