using DeviseWeb.Engine.Imaging;

namespace DeviseWeb.Engine.Features;

/// <summary>A frozen pretrained image backbone: one image in, one feature vector out. Thread-safe.</summary>
public interface IFeatureExtractor
{
    int Dimension { get; }
    /// <summary>Names the backbone, so cached features from another backbone are never mixed in.</summary>
    string Name { get; }

    /// <summary>The image's features. A cancelled token stops it before the next model runs; one inference is not interrupted.</summary>
    float[] Extract(LoadedImage image, CancellationToken cancellationToken = default);
}
