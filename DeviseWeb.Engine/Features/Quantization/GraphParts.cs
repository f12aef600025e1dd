using System.Runtime.InteropServices;

namespace DeviseWeb.Engine.Features.Quantization;

/// <summary>ONNX TensorProto element types used here.</summary>
internal static class ElementType
{
    public const int Float = 1, UInt8 = 2, Int8 = 3, Int32 = 6;
}

/// <summary>An attribute of a node, kept as its AttributeProto bytes (1: name, 2: f, 3: i, 4: s, 8: ints, 20: type).</summary>
internal sealed record NodeAttribute(string Name, ReadOnlyMemory<byte> Proto)
{
    public static NodeAttribute Read(ReadOnlyMemory<byte> proto) =>
        new(ProtoWire.Read(proto).First(f => f.Number == 1).Text, proto);

    public float Float => BitConverter.ToSingle(ProtoWire.Read(Proto).First(f => f.Number == 2).Bytes.Span);

    public string Text => ProtoWire.Read(Proto).First(f => f.Number == 4).Text;

    public long[] Ints => [.. ProtoWire.Read(Proto).Where(f => f.Number is 3 or 8).SelectMany(ProtoWire.Integers)];

    public static NodeAttribute Int(string name, long value) => Make(name, s =>
    {
        ProtoWire.WriteVarint(s, 3, value);
        ProtoWire.WriteVarint(s, 20, 2);
    });

    private static NodeAttribute Make(string name, Action<Stream> write)
    {
        using var proto = new MemoryStream();
        ProtoWire.WriteText(proto, 1, name);
        write(proto);
        return new NodeAttribute(name, proto.ToArray());
    }
}

/// <summary>A node of the graph (NodeProto 1: input, 2: output, 3: name, 4: op type, 5: attribute, 7: domain).</summary>
internal sealed class GraphNode(string op, IEnumerable<string> inputs, IEnumerable<string> outputs)
{
    public string Op { get; } = op;
    public List<string> Inputs { get; } = [.. inputs];
    public List<string> Outputs { get; } = [.. outputs];
    public string Name { get; set; } = "";
    public string Domain { get; set; } = "";
    public List<NodeAttribute> Attributes { get; } = [];

    public NodeAttribute? Attribute(string name) => Attributes.FirstOrDefault(a => a.Name == name);

    public static GraphNode Read(ReadOnlyMemory<byte> proto)
    {
        var fields = ProtoWire.Read(proto).ToList();
        var node = new GraphNode(fields.First(f => f.Number == 4).Text,
            fields.Where(f => f.Number == 1).Select(f => f.Text), fields.Where(f => f.Number == 2).Select(f => f.Text))
        {
            Name = fields.FirstOrDefault(f => f.Number == 3).Text ?? "",
            Domain = fields.FirstOrDefault(f => f.Number == 7).Text ?? "",
        };
        node.Attributes.AddRange(fields.Where(f => f.Number == 5).Select(f => NodeAttribute.Read(f.Bytes)));
        return node;
    }

    public void Write(Stream stream)
    {
        foreach (var input in Inputs) ProtoWire.WriteText(stream, 1, input);
        foreach (var output in Outputs) ProtoWire.WriteText(stream, 2, output);
        if (Name.Length > 0) ProtoWire.WriteText(stream, 3, Name);
        ProtoWire.WriteText(stream, 4, Op);
        foreach (var attribute in Attributes) ProtoWire.WriteBytes(stream, 5, attribute.Proto.Span);
        if (Domain.Length > 0) ProtoWire.WriteText(stream, 7, Domain);
    }
}

/// <summary>An initialiser (TensorProto 1: dims, 2: data type, 4: float data, 8: name, 9: raw data), its data little-endian.</summary>
internal sealed record GraphTensor(string Name, long[] Dims, int Type, byte[] Data)
{
    public float[] Floats() => Type == ElementType.Float
        ? MemoryMarshal.Cast<byte, float>(Data).ToArray()
        : throw new InvalidDataException($"ONNX initialiser {Name} is not float.");

    public static GraphTensor Of(string name, long[] dims, ReadOnlySpan<float> values) => new(name, dims, ElementType.Float, MemoryMarshal.AsBytes(values).ToArray());
    public static GraphTensor Of(string name, long[] dims, ReadOnlySpan<int> values) => new(name, dims, ElementType.Int32, MemoryMarshal.AsBytes(values).ToArray());
    public static GraphTensor Of(string name, long[] dims, ReadOnlySpan<sbyte> values) => new(name, dims, ElementType.Int8, MemoryMarshal.AsBytes(values).ToArray());
    public static GraphTensor Of(string name, long[] dims, ReadOnlySpan<byte> values) => new(name, dims, ElementType.UInt8, values.ToArray());

    public static GraphTensor Read(ReadOnlyMemory<byte> proto)
    {
        var fields = ProtoWire.Read(proto).ToList();
        int type = (int)fields.First(f => f.Number == 2).Varint;
        var data = fields.FirstOrDefault(f => f.Number == 9 || (f.Number == 4 && f.Wire == 2));
        string name = fields.First(f => f.Number == 8).Text;
        if (data.Number == 0) throw new InvalidDataException($"ONNX initialiser {name}: only raw or packed float data is read.");
        return new GraphTensor(name, [.. fields.Where(f => f.Number == 1).SelectMany(ProtoWire.Integers)], type, data.Bytes.ToArray());
    }

    public void Write(Stream stream)
    {
        if (Dims.Length > 0) ProtoWire.WritePacked(stream, 1, Dims);
        ProtoWire.WriteVarint(stream, 2, Type);
        ProtoWire.WriteText(stream, 8, Name);
        ProtoWire.WriteBytes(stream, 9, Data);
    }
}

/// <summary>
/// A graph input or output: a tensor's name, element type and dims, -1 for a symbolic one ("N"), null for no shape.
/// ValueInfoProto 1: name, 2: TypeProto (1: tensor type: 1 elem type, 2: shape: 1 dim: 1 value, 2 param).
/// </summary>
internal sealed record GraphValue(string Name, int Type, long[]? Dims)
{
    public static GraphValue Read(ReadOnlyMemory<byte> proto)
    {
        var fields = ProtoWire.Read(proto).ToList();
        var tensor = ProtoWire.Read(ProtoWire.Read(fields.First(f => f.Number == 2).Bytes).First(f => f.Number == 1).Bytes).ToList();
        var shape = tensor.Where(f => f.Number == 2).ToList();
        long[]? dims = shape.Count == 0 ? null : [.. shape.SelectMany(s => ProtoWire.Read(s.Bytes)).Where(d => d.Number == 1)
            .Select(d => ProtoWire.Read(d.Bytes).Where(v => v.Number == 1).Select(v => (long)v.Varint).DefaultIfEmpty(-1).First())];
        return new GraphValue(fields.First(f => f.Number == 1).Text, (int)tensor.First(f => f.Number == 1).Varint, dims);
    }

    public void Write(Stream stream)
    {
        ProtoWire.WriteText(stream, 1, Name);
        ProtoWire.WriteMessage(stream, 2, type => ProtoWire.WriteMessage(type, 1, tensor =>
        {
            ProtoWire.WriteVarint(tensor, 1, Type);
            if (Dims is not null) ProtoWire.WriteMessage(tensor, 2, shape =>
            {
                foreach (long d in Dims)
                    ProtoWire.WriteMessage(shape, 1, dim =>
                    {
                        if (d >= 0) ProtoWire.WriteVarint(dim, 1, d);
                        else ProtoWire.WriteText(dim, 2, "N");
                    });
            });
        }));
    }
}
