using DeviseWeb.Engine.Imaging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace DeviseWeb.Engine.Features;

/// <summary>
/// Runs an ONNX backbone (default: ImageNet ResNet18 without its classifier) after its ONNX preprocessing.
/// The image is resized to the square input with bilinear filtering and fed as planar RGB 0–255.
/// </summary>
public sealed class OnnxFeatureExtractor : IFeatureExtractor, IDisposable
{
    private readonly InferenceSession? _preprocess;
    private readonly InferenceSession _backbone;
    private readonly string _preprocessInput, _backboneInput;
    private readonly int _inputSize;
    private readonly InFlightGate _gate = new(nameof(OnnxFeatureExtractor));

    public OnnxFeatureExtractor(string backbonePath, string? preprocessPath, int inputSize, int threads)
        : this(backbonePath, preprocessPath, inputSize, threads, static (path, options) => new InferenceSession(path, options)) { }

    /// <param name="openSession">Opens one model file; the tests watch what is opened and disposed through it.</param>
    internal OnnxFeatureExtractor(string backbonePath, string? preprocessPath, int inputSize, int threads,
        Func<string, SessionOptions, InferenceSession> openSession)
    {
        // Both files are checked before either is loaded, so a missing one costs no session.
        if (!File.Exists(backbonePath)) throw new FileNotFoundException($"Backbone model not found: {backbonePath}", backbonePath);
        bool preprocess = !string.IsNullOrEmpty(preprocessPath);
        if (preprocess && !File.Exists(preprocessPath)) throw new FileNotFoundException($"Preprocessing model not found: {preprocessPath}", preprocessPath);
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (threads > 0) options.IntraOpNumThreads = threads;
        try
        {
            _backbone = openSession(backbonePath, options);
            _backboneInput = _backbone.InputMetadata.Keys.First();
            if (preprocess)
            {
                _preprocess = openSession(preprocessPath!, options);
                _preprocessInput = _preprocess.InputMetadata.Keys.First();
            }
            else _preprocessInput = "";
            _inputSize = inputSize;
            Dimension = (int)_backbone.OutputMetadata.Values.First().Dimensions.Where(d => d > 0).Aggregate(1L, (a, d) => a * d);
            Name = Path.GetFileNameWithoutExtension(backbonePath) + ":" + Dimension;
        }
        catch
        {
            // A constructor that throws hands nobody an object to dispose: a session already open (the backbone, when
            // the preprocessing model is corrupt, say) would hold its native memory until the finalizer ran.
            _preprocess?.Dispose();
            _backbone?.Dispose();
            throw;
        }
    }

    public int Dimension { get; }
    public string Name { get; }

    public float[] Extract(LoadedImage image, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var input = ToPlanarRgb(image.Pixels, _inputSize);
        using var call = _gate.Enter();
        if (_preprocess is not null)
        {
            using var prepared = _preprocess.Run([NamedOnnxValue.CreateFromTensor(_preprocessInput, input)]);
            input = prepared.First().AsTensor<float>().ToDenseTensor();
            if (input.Rank == 3) input = input.Reshape([1, .. input.Dimensions]).ToDenseTensor();
        }
        cancellationToken.ThrowIfCancellationRequested();
        using var output = _backbone.Run([NamedOnnxValue.CreateFromTensor(_backboneInput, input)]);
        return output.First().AsEnumerable<float>().ToArray();
    }

    internal static DenseTensor<float> ToPlanarRgb(Image<Rgb24> source, int size)
    {
        using var resized = source.Clone(c => c.Resize(new ResizeOptions
        {
            Size = new Size(size, size), Mode = ResizeMode.Stretch, Sampler = KnownResamplers.Triangle,
        }));
        var tensor = new DenseTensor<float>([1, 3, size, size]);
        var buffer = tensor.Buffer;
        int plane = size * size;
        resized.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < size; y++)
            {
                var row = rows.GetRowSpan(y);
                var data = buffer.Span;
                for (int x = 0; x < size; x++)
                {
                    int i = y * size + x;
                    data[i] = row[x].R;
                    data[plane + i] = row[x].G;
                    data[2 * plane + i] = row[x].B;
                }
            }
        });
        return tensor;
    }

    /// <summary>Waits for extractions in flight, then frees the sessions; later extractions throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (!_gate.Close()) return;
        _preprocess?.Dispose();
        _backbone.Dispose();
    }
}
