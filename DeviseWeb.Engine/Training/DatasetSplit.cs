using DeviseWeb.Engine.Text;

namespace DeviseWeb.Engine.Training;

/// <summary>An image's role for a model version; <see cref="Evaluation"/> images are marked in the catalogue and never trained on.</summary>
public enum SplitKind { Train, Validation, HeldOut, Unassigned, Evaluation }

/// <summary>Which images train the head, which validate it, and which labels it never sees.</summary>
public sealed record DatasetSplit(
    IReadOnlyList<int> TrainImageIds,
    IReadOnlyList<int> ValidationImageIds,
    IReadOnlyList<int> HeldOutImageIds,
    IReadOnlyList<string> HeldOutLabels);

/// <summary>
/// Holds out whole labels for zero-shot testing, as the DeViSE article did, then splits each remaining
/// label's images train/validation. Seeded, and independent of the order images arrive in. The caller leaves the
/// evaluation-only images out: they are in no split.
/// </summary>
public static class DatasetSplitter
{
    /// <summary>Share of each seen label's images used for validation: a quarter, never tuned.</summary>
    public const double ValidationFraction = 0.25;

    public static DatasetSplit Split(IReadOnlyList<(int ImageId, string Label)> images, TrainingOptions options)
    {
        var byLabel = images.GroupBy(i => i.Label, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(i => i.ImageId).Order().ToList(), StringComparer.Ordinal);
        if (byLabel.Count < 2)
            throw new InvalidInputException($"Training needs at least 2 labels; the gallery has {byLabel.Count}.");
        var random = new Random(options.Seed);

        var heldOut = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var label in options.HeldOutLabels)
        {
            var key = LabelText.Normalize(label); // the label rule, as the gallery stored them
            if (!byLabel.ContainsKey(key)) throw new InvalidInputException($"Held-out label '{label}' is not in the gallery.");
            heldOut.Add(key);
        }
        // Prefer labels with several images, so the held-out set gives precision@k something to find.
        var candidates = byLabel.Where(p => !heldOut.Contains(p.Key) && p.Value.Count >= 2).Select(p => p.Key).ToList();
        if (candidates.Count < options.HeldOutLabelCount)
            candidates = byLabel.Keys.Where(k => !heldOut.Contains(k)).ToList();
        Shuffle(candidates, random);
        foreach (var label in candidates.Take(options.HeldOutLabelCount)) heldOut.Add(label);
        if (byLabel.Count - heldOut.Count < 2)
            throw new InvalidInputException($"Training needs at least 2 labels left after holding out {heldOut.Count} of {byLabel.Count}.");

        List<int> train = [], validation = [], held = [];
        foreach (var (label, ids) in byLabel)
        {
            if (heldOut.Contains(label)) { held.AddRange(ids); continue; }
            var shuffled = ids.ToList();
            Shuffle(shuffled, random);
            int validationCount = Math.Min(shuffled.Count - 1, (int)Math.Round(shuffled.Count * ValidationFraction));
            validation.AddRange(shuffled.Take(validationCount));
            train.AddRange(shuffled.Skip(validationCount));
        }
        return new DatasetSplit(train.Order().ToList(), validation.Order().ToList(), held.Order().ToList(), heldOut.ToList());
    }

    private static void Shuffle<T>(List<T> items, Random random)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
