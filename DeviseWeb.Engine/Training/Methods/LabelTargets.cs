using DeviseWeb.Engine.Text;

namespace DeviseWeb.Engine.Training.Methods;

/// <summary>
/// What the DeViSE head learns to predict for a label: its text vector, mixed with its WordNet hypernyms' mean
/// vector ("sheep" → bovid, ruminant) when the options' <see cref="TrainingOptions.HypernymWeight"/> is above 0.
/// </summary>
public sealed class LabelTargets(LabelVectors labelVectors, Lazy<WordNetHypernyms?> hypernyms)
{
    /// <summary>Levels of hypernyms mixed into a target ("hammer" → "hand tool" → "tool").</summary>
    public const int HypernymDepth = 2;

    public IReadOnlyDictionary<string, float[]> For(IReadOnlyList<string> labels, double hypernymWeight, CancellationToken cancellationToken)
    {
        var vectors = labelVectors.Get(labels, cancellationToken);
        var broader = labels.Select(l => hypernymWeight > 0 ? hypernyms.Value?.Of(l, HypernymDepth) ?? [] : []).ToList();
        // Every label's broader words in one batch: encoding them label by label cost minutes on 2 cores.
        var words = broader.SelectMany(b => b).Distinct(StringComparer.Ordinal).ToList();
        var wordVectors = words.Zip(labelVectors.Get(words, cancellationToken)).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (int i = 0; i < labels.Count; i++)
            result[labels[i]] = broader[i].Count == 0 ? vectors[i] : Mix(vectors[i], broader[i].Select(w => wordVectors[w]).ToList(), hypernymWeight);
        return result;
    }

    /// <summary>(1 − w)·label + w·mean(hypernyms), as a unit vector.</summary>
    public static float[] Mix(float[] label, IReadOnlyList<float[]> broader, double weight)
    {
        var mixed = new float[label.Length];
        for (int d = 0; d < mixed.Length; d++)
        {
            double mean = 0;
            foreach (var b in broader) mean += b[d];
            mixed[d] = (float)((1 - weight) * label[d] + weight * mean / broader.Count);
        }
        return VectorMath.Normalized(mixed);
    }
}
