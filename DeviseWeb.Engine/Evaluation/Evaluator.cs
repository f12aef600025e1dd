using static TorchSharp.torch;

namespace DeviseWeb.Engine.Evaluation;

/// <summary>Gallery embeddings with their labels, plus every label's text vector: all an evaluation needs.</summary>
public sealed record EvaluationInput(
    IReadOnlyList<int> ImageIds,
    IReadOnlyList<string> ImageLabels,
    float[][] ImageVectors,
    IReadOnlyList<string> Labels,
    float[][] LabelVectors);

/// <summary>Flat hit@k over all labels (as the DeViSE paper measured zero-shot) and keyword precision@9.</summary>
public static class Evaluator
{
    public const int PrecisionDepth = 9;

    public static EvaluationReport Evaluate(EvaluationInput input, IReadOnlyCollection<int> validationIds,
        IReadOnlyCollection<int> heldOutIds, IReadOnlyCollection<string> heldOutLabels, double? validationLoss)
    {
        using var scope = NewDisposeScope();
        var images = Stack(input.ImageVectors);
        var labels = Stack(input.LabelVectors);
        var labelIndex = input.Labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
        var position = input.ImageIds.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);

        (Metric?, Metric?) HitRates(IReadOnlyCollection<int> ids)
        {
            var rows = ids.Where(position.ContainsKey).Select(id => position[id]).ToArray();
            if (rows.Length == 0 || input.Labels.Count == 0) return (null, null);
            var scores = images.index_select(0, tensor(rows.Select(r => (long)r).ToArray())).matmul(labels.T);
            int k5 = Math.Min(5, input.Labels.Count);
            var top = scores.topk(k5, dim: 1).indexes.data<long>().ToArray();
            int hit1 = 0, hit5 = 0;
            for (int r = 0; r < rows.Length; r++)
            {
                int truth = labelIndex[input.ImageLabels[rows[r]]];
                if (top[r * k5] == truth) hit1++;
                for (int j = 0; j < k5; j++) if (top[r * k5 + j] == truth) { hit5++; break; }
            }
            return (new Metric(hit1 / (double)rows.Length, 1.0 / input.Labels.Count, rows.Length),
                    new Metric(hit5 / (double)rows.Length, k5 / (double)input.Labels.Count, rows.Length));
        }

        Metric? PrecisionAt9(IEnumerable<string> which)
        {
            var chosen = which.Where(labelIndex.ContainsKey).ToList();
            if (chosen.Count == 0 || input.ImageIds.Count == 0) return null;
            int depth = Math.Min(PrecisionDepth, input.ImageIds.Count);
            var rows = tensor(chosen.Select(l => (long)labelIndex[l]).ToArray());
            var top = labels.index_select(0, rows).matmul(images.T).topk(depth, dim: 1).indexes.data<long>().ToArray();
            var counts = input.ImageLabels.GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
            double precision = 0, chance = 0, best = 0;
            for (int i = 0; i < chosen.Count; i++)
            {
                int relevant = 0;
                for (int j = 0; j < depth; j++) if (input.ImageLabels[(int)top[i * depth + j]] == chosen[i]) relevant++;
                precision += relevant / (double)PrecisionDepth;
                int count = counts.GetValueOrDefault(chosen[i]);
                chance += count / (double)input.ImageIds.Count;
                best += Math.Min(count, PrecisionDepth) / (double)PrecisionDepth;
            }
            return new Metric(precision / chosen.Count, chance / chosen.Count, chosen.Count, best / chosen.Count);
        }

        var (zeroShot1, zeroShot5) = HitRates(heldOutIds);
        var (validation1, validation5) = HitRates(validationIds);
        var held = new HashSet<string>(heldOutLabels, StringComparer.Ordinal);
        var seenLabels = input.ImageLabels.Distinct().Where(l => !held.Contains(l)).Order(StringComparer.Ordinal);
        return new EvaluationReport
        {
            ValidationLoss = validationLoss,
            ZeroShotHit1 = zeroShot1,
            ZeroShotHit5 = zeroShot5,
            ValidationHit1 = validation1,
            ValidationHit5 = validation5,
            SeenPrecisionAt9 = PrecisionAt9(seenLabels),
            HeldOutPrecisionAt9 = PrecisionAt9(held.Order(StringComparer.Ordinal)),
            LabelCount = input.Labels.Count,
            ImageCount = input.ImageIds.Count,
        };
    }

    private static Tensor Stack(float[][] rows)
    {
        if (rows.Length == 0) return zeros(0, 1);
        return nn.functional.normalize(TensorRows.ToTensor(rows, rows[0].Length), p: 2, dim: 1);
    }
}
