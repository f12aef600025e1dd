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
/// queries answered in blocks: image vectors against the labels, label vectors against the gallery. Each block is a
/// fixed amount of work, reported as done and preceded by a check for a cancel.
/// </summary>
public static class Evaluator
{
    public const int PrecisionDepth = 9;
    private const int HitDepth = 5;

    /// <summary>Multiply-adds a block of queries costs: about a tenth of a second on 2 cores.</summary>
    private const long BlockWork = 8_000_000_000;

    /// <summary>
    /// Seen labels are those of the split's training images; evaluation-only images count as gallery images to find, never
    /// as queries. <paramref name="progress"/> hears the share done (0–1) after each block.
    /// </summary>
    public static EvaluationReport Evaluate(EvaluationInput input, DatasetSplit split, double? validationLoss, Action<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var label in input.LabelOf.Values) counts[label] = counts.GetValueOrDefault(label) + 1;
        var held = new HashSet<string>(split.HeldOutLabels, StringComparer.Ordinal);
        var seen = split.TrainImageIds.Where(input.LabelOf.ContainsKey).Select(id => input.LabelOf[id]).Where(l => !held.Contains(l))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var heldLabels = held.Order(StringComparer.Ordinal).ToList();
        var heldImages = Present(input, split.HeldOutImageIds);
        var validationImages = Present(input, split.ValidationImageIds);
        var work = new Work(progress, (heldImages.Count + validationImages.Count) * (double)input.Labels.Count
            + (seen.Count + heldLabels.Count) * (double)input.Images.Count);

        using var labels = input.Labels.Count == 0 ? null
            : InProcessVectorIndex.Build(input.LabelVectors[0].Length, Enumerable.Range(0, input.Labels.Count).ToArray(), input.LabelVectors);
        var (zeroShot1, zeroShot5) = HitRates(input, labels, heldImages, work, cancellationToken);
        var (validation1, validation5) = HitRates(input, labels, validationImages, work, cancellationToken);
        return new EvaluationReport
        {
            ValidationLoss = validationLoss,
            ZeroShotHit1 = zeroShot1,
            ZeroShotHit5 = zeroShot5,
            ValidationHit1 = validation1,
            ValidationHit5 = validation5,
            SeenPrecisionAt9 = PrecisionAt9(input, seen, counts, work, cancellationToken),
            HeldOutPrecisionAt9 = PrecisionAt9(input, heldLabels, counts, work, cancellationToken),
            LabelCount = input.Labels.Count,
            ImageCount = input.LabelOf.Count,
        };
    }

    private static List<int> Present(EvaluationInput input, IReadOnlyCollection<int> ids) =>
        ids.Where(id => input.LabelOf.ContainsKey(id) && input.Images.Contains(id)).ToList();

    /// <summary>For each image, is its true label the nearest (hit@1) or among the 5 nearest (hit@5) of all labels?</summary>
    private static (Metric?, Metric?) HitRates(EvaluationInput input, InProcessVectorIndex? labels, List<int> present, Work work,
        CancellationToken cancellationToken)
    {
        if (present.Count == 0 || labels is null) return (null, null);
        int depth = Math.Min(HitDepth, input.Labels.Count);
        int block = BlockOf(input.Labels.Count, input.LabelVectors[0].Length);
        int hit1 = 0, hit5 = 0;
        foreach (var chunk in present.Chunk(block))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var results = labels.SearchBatch(chunk.Select(id => input.Images.Get(id)!).ToList(), depth);
            for (int i = 0; i < chunk.Length; i++)
            {
                var truth = input.LabelOf[chunk[i]];
                if (results[i].Count > 0 && input.Labels[results[i][0].Id] == truth) hit1++;
                if (results[i].Any(h => input.Labels[h.Id] == truth)) hit5++;
            }
            work.Done(chunk.Length * (double)input.Labels.Count);
        }
        return (new Metric(hit1 / (double)present.Count, 1.0 / input.Labels.Count, present.Count),
                new Metric(hit5 / (double)present.Count, depth / (double)input.Labels.Count, present.Count));
    }

    /// <summary>Of the 9 images nearest a label's name, the share carrying the label, averaged; with chance and the best the data allows.</summary>
    private static Metric? PrecisionAt9(EvaluationInput input, IReadOnlyList<string> chosen, IReadOnlyDictionary<string, int> counts, Work work,
        CancellationToken cancellationToken)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < input.Labels.Count; i++) index.TryAdd(input.Labels[i], i);
        var queries = chosen.Where(index.ContainsKey).ToList();
        if (queries.Count == 0 || input.LabelOf.Count == 0) return null;
        double precision = 0, chance = 0, best = 0;
        int block = BlockOf(input.Images.Count, input.Images.Dimension);
        foreach (var chunk in queries.Chunk(block))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var results = input.Images.SearchBatch(chunk.Select(l => input.LabelVectors[index[l]]).ToList(), PrecisionDepth);
            for (int i = 0; i < chunk.Length; i++)
            {
                precision += results[i].Count(h => input.LabelOf.GetValueOrDefault(h.Id) == chunk[i]) / (double)PrecisionDepth;
                int count = counts.GetValueOrDefault(chunk[i]);
                chance += count / (double)input.LabelOf.Count;
                best += Math.Min(count, PrecisionDepth) / (double)PrecisionDepth;
            }
            work.Done(chunk.Length * (double)input.Images.Count);
        }
        return new Metric(precision / queries.Count, chance / queries.Count, queries.Count, best / queries.Count);
    }

    /// <summary>Queries per block against <paramref name="rows"/> rows: a fixed amount of work, at least 1.</summary>
    private static int BlockOf(int rows, int dimension) => (int)Math.Clamp(BlockWork / Math.Max(1L, (long)rows * dimension), 1, 8192);

    /// <summary>Work done so far, told as a share of the whole.</summary>
    private sealed class Work(Action<double>? progress, double total)
    {
        private double _done;

        public void Done(double amount)
        {
            _done += amount;
            progress?.Invoke(total > 0 ? Math.Min(1, _done / total) : 1);
        }
    }
}
