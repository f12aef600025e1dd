namespace DeviseWeb.Engine.Training.Methods;

/// <summary>
/// Maps backbone features into the text space the way a model version was trained to: the head's output through its
/// mapping, then, with label transfer on, blended with what the nearest training images map to. The same for the
/// gallery at training, a version's catch-up, each imported image and each reference photo. Owns the head and label
/// transfer's reference.
/// </summary>
internal sealed class ImageEmbedder(DeviseHead head, IEmbeddingMapping mapping, LabelTransfer? transfer) : IDisposable
{
    public DeviseHead Head => head;

    public IEmbeddingMapping Mapping => mapping;

    /// <summary>Unit vectors for rows of features.</summary>
    public float[][] Embed(IReadOnlyList<float[]> features, CancellationToken cancellationToken = default)
    {
        if (features.Count == 0) return [];
        var embeddings = head.Map(features, DeviceChooser.Device, mapping.Embed, cancellationToken: cancellationToken);
        return transfer is null ? embeddings : transfer.Blend(embeddings, features, cancellationToken: cancellationToken);
    }

    public void Dispose()
    {
        head.Dispose();
        transfer?.Dispose();
    }
}
