using DeviseWeb.Engine.Text;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Engine.Evaluation;

/// <summary>Scores photographs' embeddings on the photo-transfer queries: their label names, and WordNet's broader words for them.</summary>
public sealed class PhotoEvaluation(LabelVectors labelVectors, Lazy<WordNetHypernyms?> hypernyms)
{
    /// <summary>Neighbours in CSLS's hub penalty.</summary>
    public const int HubNeighbours = 10;

    /// <param name="embeddings">Unit vectors of the photographs.</param>
    /// <param name="photoLabels">Each photograph's label.</param>
    /// <param name="vocabulary">The labels of the gallery: CSLS's reference text vectors.</param>
    public (Metric? Exact, Metric? Broader) Score(IReadOnlyList<float[]> embeddings, IReadOnlyList<string> photoLabels,
        IReadOnlyList<string> vocabulary, bool hubnessCorrection, CancellationToken cancellationToken)
    {
        float[]? penalty = hubnessCorrection ? TransferMath.HubPenalty(embeddings, labelVectors.Get(vocabulary, cancellationToken), HubNeighbours) : null;
        Metric? Run(IReadOnlyList<PhotoQuery> queries) => queries.Count == 0 ? null
            : PhotoTransfer.PrecisionAt5(embeddings, queries, labelVectors.Get(queries.Select(q => q.Text).ToList(), cancellationToken), penalty);
        var wordNet = hypernyms.Value;
        var broader = wordNet is null ? [] : PhotoTransfer.BroaderQueries(photoLabels, l => wordNet.Of(l, PhotoTransfer.BroaderDepth));
        return (Run(PhotoTransfer.ExactQueries(photoLabels)), Run(broader));
    }
}
