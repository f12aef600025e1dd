using System.Text.Json.Serialization;

namespace DeviseWeb.Engine.Evaluation;

/// <summary>
/// A measured figure beside what random guessing would score, over Count cases. Best is the highest score
/// possible where the data caps it (precision@9 of a label with 2 images is at most 2/9).
/// </summary>
// NaN (a diverged run saved before training refused one) is written as "NaN" rather than failing the whole response.
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record Metric(double Value, double Chance, int Count, double Best = 1.0);

/// <summary>How well a model version retrieves, measured on its own split and stored with it.</summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record EvaluationReport
{
    public double? ValidationLoss { get; init; }
    /// <summary>Held-out images: is the true label the nearest of ALL the dataset's labels?</summary>
    public Metric? ZeroShotHit1 { get; init; }
    public Metric? ZeroShotHit5 { get; init; }
    /// <summary>Validation images of seen labels, same flat candidate set.</summary>
    public Metric? ValidationHit1 { get; init; }
    public Metric? ValidationHit5 { get; init; }
    /// <summary>Share of the top 9 images for a label's name that carry the label, averaged over seen labels.</summary>
    public Metric? SeenPrecisionAt9 { get; init; }
    /// <summary>The same over held-out labels: text search for labels the head never trained on.</summary>
    public Metric? HeldOutPrecisionAt9 { get; init; }
    /// <summary>
    /// The evaluation set: text→image precision@5 (capped by the relevant count) over the evaluation-only images, which
    /// the version never trained on, ranked by the version's own embeddings; queries are the images' label names. In
    /// the demo the evaluation set is its photographs, hence the name. A version trained before images were marked
    /// keeps what its training measured then (a second head trained without the photo-* and scene-* files).
    /// </summary>
    public Metric? PhotoExactPrecisionAt5 { get; init; }
    /// <summary>The same for broader words: WordNet hypernyms of the evaluation images' labels.</summary>
    public Metric? PhotoBroaderPrecisionAt5 { get; init; }
    /// <summary>
    /// The same for everyday words that are no label, judged by hand against the evaluation set (the dataset's
    /// <c>evaluation-queries.tsv</c>, kept in the data directory at import); null where the store has none.
    /// </summary>
    public Metric? EverydayPrecisionAt5 { get; init; }
    /// <summary>
    /// Photo → photo: each evaluation image that shares its label with another asks for its 5 most similar evaluation
    /// images (itself left out) by the product's photo ranking; precision@5 capped by how many others carry its label.
    /// </summary>
    public Metric? PhotoToPhotoPrecisionAt5 { get; init; }
    /// <summary>
    /// Copies of each evaluation image (resized to half, re-encoded as JPEG quality 60, centre-cropped to 80 %) searched
    /// for as reference photos over the whole gallery: the share whose original comes back first. Measured by the eval
    /// job (it runs the backbone on every copy), not at the end of training.
    /// </summary>
    public Metric? DuplicateHit1 { get; init; }
    /// <summary>Evaluation images ranked (0 when the gallery has none the version did not train on).</summary>
    public int PhotoImageCount { get; init; }
    /// <summary>When these figures were measured (null in versions saved before the field).</summary>
    public DateTime? EvaluatedUtc { get; init; }
    public int LabelCount { get; init; }
    public int ImageCount { get; init; }
}
