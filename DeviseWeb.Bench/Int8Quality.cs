using DeviseWeb.Engine;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DeviseWeb.Bench;

/// <summary>
/// How far the int8 backbone's features are from the float one's, on images calibration never saw: the cosine of
/// each image's two 512-d features, and whether each image's int8 feature finds the same nearest neighbour among the
/// float features of all the others as its float feature does (what search and duplicate detection rely on), and
/// how often that nearest neighbour has the image's own label (its folder), for each model: whether the
/// disagreements cost retrieval or only swap near-ties.
/// </summary>
internal static class Int8Quality
{
    public static object Measure(byte[] floatModel, IReadOnlyList<DenseTensor<float>> floatInputs, byte[] otherModel,
        IReadOnlyList<DenseTensor<float>> otherInputs, IReadOnlyList<string> files)
    {
        var labels = files.Select(f => Path.GetFileName(Path.GetDirectoryName(f))!).ToList();
        var reference = Features(floatModel, floatInputs);
        var other = Features(otherModel, otherInputs);
        var cosines = reference.Zip(other, (a, b) => VectorMath.Cosine(a, b)).Select(c => (double)c).ToList();
        int agree = 0, referenceHits = 0, otherHits = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            int expected = Nearest(reference, reference[i], i), actual = Nearest(reference, other[i], i);
            if (expected == actual) agree++;
            if (labels[expected] == labels[i]) referenceHits++;
            if (labels[actual] == labels[i]) otherHits++;
        }
        return new
        {
            images = floatInputs.Count,
            cosine_mean = cosines.Average(),
            cosine_min = cosines.Min(),
            cosine_p1 = BenchMath.Percentile(cosines, 1),
            nearest_agreement = (double)agree / reference.Length,
            nearest_same_label_fp32 = (double)referenceHits / reference.Length,
            nearest_same_label_int8 = (double)otherHits / reference.Length,
            lowest = string.Join(" ", cosines.Select((c, i) => (c, i)).OrderBy(p => p.c).Take(3).Select(p => $"{Path.GetRelativePath(Path.GetDirectoryName(Path.GetDirectoryName(files[p.i]))!, files[p.i])}={p.c:F3}")),
        };
    }

    public static float[][] Features(byte[] model, IReadOnlyList<DenseTensor<float>> inputs)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = Environment.ProcessorCount };
        using var session = new InferenceSession(model, options);
        string input = session.InputMetadata.Keys.First();
        return inputs.Select(tensor =>
        {
            using var result = session.Run([NamedOnnxValue.CreateFromTensor(input, tensor)]);
            return result.First().AsEnumerable<float>().ToArray();
        }).ToArray();
    }

    private static int Nearest(float[][] among, float[] query, int skip)
    {
        int best = -1;
        float bestCosine = float.MinValue;
        for (int j = 0; j < among.Length; j++)
        {
            if (j == skip) continue;
            float cosine = VectorMath.Cosine(query, among[j]);
            if (cosine > bestCosine) (best, bestCosine) = (j, cosine);
        }
        return best;
    }
}
