using System.Numerics.Tensors;

using DeviseWeb.Engine;

namespace DeviseWeb.Bench;

/// <summary>
/// The text vectors of the labels a version trained on: the points its image embeddings were pulled toward. A word
/// that is no label lies somewhere between them; <see cref="Expand"/> moves it toward its nearest labels (ConSE on
/// the query side: a softmax-weighted mix of the nearest label vectors), so it lands where images of those labels are.
/// </summary>
internal sealed class LabelAnchors(IReadOnlyList<string> labels, float[][] vectors)
{
    public IReadOnlyList<string> Labels => labels;

    public int Count => labels.Count;

    /// <summary>
    /// <paramref name="keep"/>·query + (1 − keep)·mix of the <paramref name="neighbours"/> nearest labels, softmax of
    /// cosine / <paramref name="temperature"/>; a unit vector. The query itself when there are no labels or keep is 1.
    /// </summary>
    public float[] Expand(float[] query, int neighbours, float temperature, float keep)
    {
        var unit = VectorMath.Normalized(query);
        if (vectors.Length == 0 || keep >= 1) return unit;
        int k = Math.Min(neighbours, vectors.Length);
        var top = new (float Score, int Row)[k];
        int kept = 0;
        for (int row = 0; row < vectors.Length; row++)
        {
            float score = TensorPrimitives.Dot(unit, vectors[row]);
            if (kept == k && score <= top[k - 1].Score) continue;
            int at = kept < k ? kept++ : k - 1;
            while (at > 0 && score > top[at - 1].Score)
            {
                top[at] = top[at - 1];
                at--;
            }
            top[at] = (score, row);
        }
        var mix = new float[unit.Length];
        double total = 0;
        var weights = new double[kept];
        for (int i = 0; i < kept; i++) total += weights[i] = Math.Exp((top[i].Score - top[0].Score) / temperature);
        for (int i = 0; i < kept; i++) TensorPrimitives.MultiplyAdd(vectors[top[i].Row], (float)(weights[i] / total), mix, mix);
        var result = new float[unit.Length];
        TensorPrimitives.Multiply(unit, keep, result);
        TensorPrimitives.MultiplyAdd(VectorMath.Normalized(mix), 1 - keep, result, result);
        return VectorMath.Normalized(result);
    }
}
