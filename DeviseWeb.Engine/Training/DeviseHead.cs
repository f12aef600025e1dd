using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeviseWeb.Engine.Training;

/// <summary>
/// The DeViSE head on frozen backbone features: Linear → ReLU → Dropout → Linear, output in the text space.
/// A hidden layer (rather than the paper's single linear map) lets the head bend ResNet's pooled features
/// toward MiniLM's space; dropout keeps it from memorising the few images per label of small datasets.
/// </summary>
public sealed class DeviseHead : nn.Module<Tensor, Tensor>
{
    private readonly Linear _hidden;
    private readonly ReLU _activation;
    private readonly Dropout _dropout;
    private readonly Linear _output;

    public DeviseHead(int inputSize, int hiddenSize, int outputSize, double dropout) : base(nameof(DeviseHead))
    {
        _hidden = nn.Linear(inputSize, hiddenSize);
        _activation = nn.ReLU();
        _dropout = nn.Dropout(dropout);
        _output = nn.Linear(hiddenSize, outputSize);
        RegisterComponents();
    }

    public static string Describe(int inputSize, int hiddenSize, int outputSize, double dropout) =>
        $"Linear({inputSize},{hiddenSize})-ReLU-Dropout({dropout})-Linear({hiddenSize},{outputSize})";

    public override Tensor forward(Tensor features) => _output.forward(_dropout.forward(_activation.forward(_hidden.forward(features))));

    /// <summary>
    /// Rows of features through the head in batches on <paramref name="device"/>, without gradients, each batch's
    /// output turned into result rows by <paramref name="map"/> (a mapping's unit vectors, say). <paramref name="batchDone"/>
    /// hears how many rows are done after each batch; a cancel is checked before each.
    /// </summary>
    public float[][] Map(IReadOnlyList<float[]> features, Device device, Func<Tensor, Tensor> map, int batchSize = 4096,
        Action<int>? batchDone = null, CancellationToken cancellationToken = default)
    {
        var result = new float[features.Count][];
        using var _ = no_grad();
        eval();
        for (int start = 0; start < features.Count; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using (var scope = NewDisposeScope())
            {
                int count = Math.Min(batchSize, features.Count - start);
                var batch = TensorRows.ToTensor(VectorMath.Slice(features, start, count), features[start].Length).to(device);
                TensorRows.ToRows(map(forward(batch))).CopyTo(result, start);
            }
            batchDone?.Invoke(Math.Min(features.Count, start + batchSize));
        }
        return result;
    }

    public byte[] SaveWeights()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) save(writer);
        return stream.ToArray();
    }

    public void LoadWeights(byte[] weights)
    {
        using var reader = new BinaryReader(new MemoryStream(weights));
        load(reader);
    }
}
