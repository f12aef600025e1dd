using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Text;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Engine.Models;

/// <summary>Builds a version's <see cref="ImageEmbedder"/>: ConSE's class vectors and label transfer's reference from the stored features.</summary>
public sealed class ImageEmbedderFactory(FeatureStore features, ImageRepository images, LabelVectors labelVectors)
{
    /// <summary>Takes ownership of <paramref name="head"/>, disposing it if building fails.</summary>
    internal ImageEmbedder Create(DeviseHead head, TrainingOptions options, IReadOnlyList<string> classLabels, IReadOnlyList<int> referenceIds,
        DomainScaling? scaling, CancellationToken cancellationToken = default)
    {
        try
        {
            var embedder = new ImageEmbedder(head, options, options.Mapping == MappingKind.ConSE ? labelVectors.Get(classLabels, cancellationToken) : null, scaling);
            if (embedder.NeedsReference)
            {
                // Images deleted or relabelled since training: the reference is the training images as they are now.
                var have = features.Ids().ToHashSet();
                var labelOf = images.IdsAndLabels().ToDictionary(i => i.Id, i => i.Label);
                var ids = referenceIds.Where(id => have.Contains(id) && labelOf.ContainsKey(id)).ToList();
                embedder.SetReference(features.GetMany(ids), labelVectors.Get(ids.Select(id => labelOf[id]).ToList(), cancellationToken));
            }
            return embedder;
        }
        catch
        {
            head.Dispose();
            throw;
        }
    }
}
