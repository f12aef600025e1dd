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
    /// Photo transfer: text→image precision@5 (capped by the relevant count) over the gallery's photographs, ranked
    /// by a head trained with the same options without them; queries are the photos' label names.
    /// </summary>
    public Metric? PhotoExactPrecisionAt5 { get; init; }
    /// <summary>The same for broader words: WordNet hypernyms of the photos' labels.</summary>
    public Metric? PhotoBroaderPrecisionAt5 { get; init; }
    /// <summary>Photographs the photo-transfer evaluation ranked (0 when it did not run).</summary>
    public int PhotoImageCount { get; init; }
    public int LabelCount { get; init; }
    public int ImageCount { get; init; }
}
