using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Text;

namespace DeviseWeb.Engine.Evaluation;

/// <summary>
/// Re-measures a model version on its own split against the gallery as it is now. The photo-transfer figures are the
/// ones measured when it trained: they need the head trained without the photographs, which is not kept.
/// </summary>
public sealed class EvaluationService(ModelService models, ImageRepository images, LabelVectors labelVectors)
{
    public EvaluationReport Evaluate(int? modelId = null, CancellationToken cancellationToken = default)
    {
        using var lease = models.Acquire(modelId);
        var model = lease.Model;
        var labelOf = images.IdsAndLabels().Where(i => model.Index.Contains(i.Id)).ToDictionary(i => i.Id, i => i.Label);
        var labels = labelOf.Values.Distinct().Order(StringComparer.Ordinal).ToList();
        var input = new EvaluationInput(model.Index, labelOf, labels, labelVectors.Get(labels, cancellationToken));
        var record = model.Record;
        var report = Evaluator.Evaluate(input, new Training.DatasetSplit(record.TrainImageIds, record.ValidationImageIds, record.HeldOutImageIds, record.HeldOutLabels),
            record.History.LastOrDefault()?.ValidationLoss);
        return record.Evaluation is { } trained
            ? report with
            {
                PhotoExactPrecisionAt5 = trained.PhotoExactPrecisionAt5, PhotoBroaderPrecisionAt5 = trained.PhotoBroaderPrecisionAt5,
                PhotoImageCount = trained.PhotoImageCount,
            }
            : report;
    }
}
