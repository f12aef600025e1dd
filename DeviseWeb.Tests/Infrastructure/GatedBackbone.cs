using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Imaging;

namespace DeviseWeb.Tests.Infrastructure;

/// <summary>
/// A stand-in backbone whose runs wait at a gate until the test opens it, so a test can stop an import while images
/// are in the backbone and queued behind it. Like a real inference, a run in progress does not watch the token.
/// </summary>
public sealed class GatedBackbone : IFeatureExtractor, IDisposable
{
    public const int Width = 8;

    private readonly ManualResetEventSlim _gate = new(false);
    private int _entered;

    public int Dimension => Width;
    public string Name => "gated:" + Width;

    /// <summary>Runs that have reached the gate so far.</summary>
    public int Entered => Volatile.Read(ref _entered);

    public float[] Extract(LoadedImage image, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _entered);
        _gate.Wait();
        var features = new float[Width];
        features[image.ContentHash[0] % Width] = 1; // differs by image, enough for a gallery of a few
        return features;
    }

    public void Open() => _gate.Set();

    public void Dispose()
    {
        Open();
        _gate.Dispose();
    }
}
