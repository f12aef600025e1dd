using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Engine.Evaluation;

/// <summary>
/// What an evaluation reads: the gallery's embeddings under a model (an index), each image's label, and every
/// label's text vector.
/// </summary>
public sealed record EvaluationInput(
    IVectorIndex Images,
    IReadOnlyDictionary<int, string> LabelOf,
    IReadOnlyList<string> Labels,
    float[][] LabelVectors);

/// <summary>
/// Flat hit@k over all labels (as the DeViSE paper measured zero-shot) and text→image precision@9, each a batch of
/// queries answered in one pass: image vectors against the labels, label vectors against the gallery.
/// </summary>
public static class Evaluator
{
    public const int PrecisionDepth = 9;
    private const int HitDepth = 5;

    /// <summary>Seen labels are those of the split's training images; evaluation-only images count as gallery images to find, never as queries.</summary>
    public static EvaluationReport Evaluate(EvaluationInput input, DatasetSplit split, double? validationLoss)
    {
        var counts = input.LabelOf.Values.GroupBy(l => l, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var (zeroShot1, zeroShot5) = HitRates(input, split.HeldOutImageIds);
        var (validation1, validation5) = HitRates(input, split.ValidationImageIds);
        var held = new HashSet<string>(split.HeldOutLabels, StringComparer.Ordinal);
        var seen = split.TrainImageIds.Where(input.LabelOf.ContainsKey).Select(id => input.LabelOf[id]).Where(l => !held.Contains(l))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new EvaluationReport
        {
            ValidationLoss = validationLoss,
            ZeroShotHit1 = zeroShot1,
            ZeroShotHit5 = zeroShot5,
            ValidationHit1 = validation1,
            ValidationHit5 = validation5,
            SeenPrecisionAt9 = PrecisionAt9(input, seen, counts),
            HeldOutPrecisionAt9 = PrecisionAt9(input, held.Order(StringComparer.Ordinal).ToList(), counts),
            LabelCount = input.Labels.Count,
            ImageCount = input.LabelOf.Count,
        };
    }

    /// <summary>For each image, is its true label the nearest (hit@1) or among the 5 nearest (hit@5) of all labels?</summary>
    private static (Metric?, Metric?) HitRates(EvaluationInput input, IReadOnlyCollection<int> ids)
    {
        var present = ids.Where(id => input.LabelOf.ContainsKey(id) && input.Images.Contains(id)).ToList();
        if (present.Count == 0 || input.Labels.Count == 0) return (null, null);
        using var labels = InProcessVectorIndex.Build(input.LabelVectors[0].Length, Enumerable.Range(0, input.Labels.Count).ToArray(), input.LabelVectors);
        int depth = Math.Min(HitDepth, input.Labels.Count);
        var results = labels.SearchBatch(present.Select(id => input.Images.Get(id)!).ToList(), depth);
        int hit1 = 0, hit5 = 0;
        for (int i = 0; i < present.Count; i++)
        {
            var truth = input.LabelOf[present[i]];
            if (results[i].Count > 0 && input.Labels[results[i][0].Id] == truth) hit1++;
            if (results[i].Any(h => input.Labels[h.Id] == truth)) hit5++;
        }
        return (new Metric(hit1 / (double)present.Count, 1.0 / input.Labels.Count, present.Count),
                new Metric(hit5 / (double)present.Count, depth / (double)input.Labels.Count, present.Count));
    }

    /// <summary>Of the 9 images nearest a label's name, the share carrying the label, averaged; with chance and the best the data allows.</summary>
    private static Metric? PrecisionAt9(EvaluationInput input, IReadOnlyList<string> chosen, IReadOnlyDictionary<string, int> counts)
    {
        var index = input.Labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
        var queries = chosen.Where(index.ContainsKey).ToList();
        if (queries.Count == 0 || input.LabelOf.Count == 0) return null;
        var results = input.Images.SearchBatch(queries.Select(l => input.LabelVectors[index[l]]).ToList(), PrecisionDepth);
        double precision = 0, chance = 0, best = 0;
        for (int i = 0; i < queries.Count; i++)
        {
            precision += results[i].Count(h => input.LabelOf.GetValueOrDefault(h.Id) == queries[i]) / (double)PrecisionDepth;
            int count = counts.GetValueOrDefault(queries[i]);
            chance += count / (double)input.LabelOf.Count;
            best += Math.Min(count, PrecisionDepth) / (double)PrecisionDepth;
        }
        return new Metric(precision / queries.Count, chance / queries.Count, queries.Count, best / queries.Count);
    }
}
