namespace DeviseWeb.Engine.Features.Quantization;

/// <summary>
/// An ONNX model open for a graph rewrite: nodes, initialisers, inputs and outputs as objects; every other field kept
/// as read. ModelProto 1: IR version, 7: graph, 8: opset imports; GraphProto 1: node, 5: initialiser, 11: input,
/// 12: output, 13: value info (intermediate shapes, dropped when <see cref="KeepValueInfo"/> is off).
/// </summary>
internal sealed class OnnxModel
{
    private readonly List<ProtoField> _modelFields = [], _graphFields = [], _valueInfo = [];

    public List<GraphNode> Nodes { get; } = [];
    public Dictionary<string, GraphTensor> Initializers { get; } = new(StringComparer.Ordinal);
    public List<GraphValue> Inputs { get; } = [];
    public List<GraphValue> Outputs { get; } = [];
    public long IrVersion { get; set; }
    public long Opset { get; set; }

    /// <summary>Off after a rewrite that renames or adds tensors: ONNX Runtime infers the shapes again.</summary>
    public bool KeepValueInfo { get; set; } = true;

    public static OnnxModel Read(ReadOnlyMemory<byte> bytes)
    {
        var model = new OnnxModel();
        foreach (var field in ProtoWire.Read(bytes))
        {
            if (field.Number == 1) model.IrVersion = (long)field.Varint;
            else if (field.Number == 8)
            {
                var opset = ProtoWire.Read(field.Bytes).ToList();
                if (opset.All(f => f.Number != 1 || f.Bytes.Length == 0)) model.Opset = (long)opset.First(f => f.Number == 2).Varint;
                else model._modelFields.Add(field);
            }
            else if (field.Number == 7) model.ReadGraph(field.Bytes);
            else model._modelFields.Add(field);
        }
        return model;
    }

    private void ReadGraph(ReadOnlyMemory<byte> graph)
    {
        foreach (var field in ProtoWire.Read(graph))
        {
            switch (field.Number)
            {
                case 1: Nodes.Add(GraphNode.Read(field.Bytes)); break;
                case 5: var tensor = GraphTensor.Read(field.Bytes); Initializers[tensor.Name] = tensor; break;
                case 11: Inputs.Add(GraphValue.Read(field.Bytes)); break;
                case 12: Outputs.Add(GraphValue.Read(field.Bytes)); break;
                case 13: _valueInfo.Add(field); break;
                default: _graphFields.Add(field); break;
            }
        }
        // IR 3 lists initialisers among the inputs as well; later IRs need not, and a rewrite must not keep stale ones.
        Inputs.RemoveAll(i => Initializers.ContainsKey(i.Name));
    }

    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        ProtoWire.WriteVarint(stream, 1, IrVersion);
        foreach (var field in _modelFields) ProtoWire.WriteField(stream, field);
        ProtoWire.WriteMessage(stream, 8, opset => ProtoWire.WriteVarint(opset, 2, Opset));
        ProtoWire.WriteMessage(stream, 7, graph =>
        {
            foreach (var node in Nodes) ProtoWire.WriteMessage(graph, 1, node.Write);
            foreach (var field in _graphFields) ProtoWire.WriteField(graph, field);
            foreach (var tensor in Initializers.Values) ProtoWire.WriteMessage(graph, 5, tensor.Write);
            foreach (var input in Inputs) ProtoWire.WriteMessage(graph, 11, input.Write);
            foreach (var output in Outputs) ProtoWire.WriteMessage(graph, 12, output.Write);
            if (KeepValueInfo) foreach (var field in _valueInfo) ProtoWire.WriteField(graph, field);
        });
        return stream.ToArray();
    }

    /// <summary>The nodes that read a tensor.</summary>
    public IEnumerable<GraphNode> Consumers(string tensor) => Nodes.Where(n => n.Inputs.Contains(tensor));

    /// <summary>Makes the batch dimension of every input and output symbolic, so one run can take several images.</summary>
    public void MakeBatchDynamic()
    {
        KeepValueInfo = false;
        for (int i = 0; i < Inputs.Count; i++) Inputs[i] = Inputs[i] with { Dims = Inputs[i].Dims is { } d ? [-1, .. d.Skip(1)] : null };
        for (int i = 0; i < Outputs.Count; i++) Outputs[i] = Outputs[i] with { Dims = Outputs[i].Dims is { } d ? [-1, .. d.Skip(1)] : null };
    }

    /// <summary>Adds intermediate float tensors as outputs, so one run returns them (calibration).</summary>
    public void AddOutputs(IEnumerable<string> names)
    {
        KeepValueInfo = false;
        foreach (var name in names.Where(n => Outputs.All(o => o.Name != n))) Outputs.Add(new GraphValue(name, ElementType.Float, null));
    }
}
