namespace DeviseWeb.Engine.Training.Methods;

/// <summary>
/// Maps backbone features into the text space the way a model version was trained to: the head's output through its
/// mapping, then, with label transfer on, blended with what the nearest training images map to. Owns the head.
/// </summary>
internal sealed class ImageEmbedder(DeviseHead head, IEmbeddingMapping mapping, LabelTransfer? transfer) : IDisposable
{
    public DeviseHead Head => head;

    public IEmbeddingMapping Mapping => mapping;

    /// <summary>Unit vectors for rows of features.</summary>
    public float[][] Embed(IReadOnlyList<float[]> features)
    {
        if (features.Count == 0) return [];
        var embeddings = head.Map(features, DeviceChooser.Device, mapping.Embed);
        return transfer is null ? embeddings : transfer.Blend(embeddings, features);
    }

    public void Dispose() => head.Dispose();
}
