using System.Numerics.Tensors;
using DeviseWeb.Cli;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Text;
using DeviseWeb.Engine.Training;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SixLabors.ImageSharp.Processing;

namespace DeviseWeb.Bench;

/// <summary>
/// Would region embeddings or a flipped view find the subject inside a scene? On a store's evaluation set under its
/// active version: the backbone's 7×7 map (a second graph output, one run) pooled over the whole, a 2×2 grid of
/// overlapping 4×4 cells and the centre 5×5, each through the version's embedder; text queries then score an image by
/// its whole vector, its best region, or a mix; and the whole image averaged with its mirror image. A quality sweep:
/// <c>--only regions --data DIR</c>.
/// </summary>
public static class RegionBench
{
    private const string MapOutput = "ReLU393_Output_0";
    private static readonly (string Name, int Row, int Col, int Size)[] Regions =
        [("top-left", 0, 0, 4), ("top-right", 0, 3, 4), ("bottom-left", 3, 0, 4), ("bottom-right", 3, 3, 4), ("centre", 1, 1, 5)];

    public static async Task RunAsync(CliArguments cli, BenchReport report, CancellationToken cancellationToken)
    {
        using var active = await ActiveEvaluationSet.OpenAsync(cli, cancellationToken);
        var (model, set) = (active.Model, active.Set);
        var options = active.Get<EngineOptions>();
        var gallery = active.Get<GalleryService>();
        var loader = active.Get<SafeImageLoader>();
        var labelVectors = active.Get<LabelVectors>();

        using var preprocess = new InferenceSession(options.PreprocessModelPath);
        using var backbone = new InferenceSession(OnnxGraphOutputs.Add(File.ReadAllBytes(options.BackboneModelPath), [MapOutput]));
        var views = new List<(float[] Whole, float[][] Regions, float[] Flipped)>();
        double agreement = 0;
        foreach (var id in set)
        {
            using var image = loader.Load(gallery.OriginalPath(id));
            var (pooled, map) = Run(preprocess, backbone, image.Pixels);
            using var mirror = image.Pixels.Clone(x => x.Flip(FlipMode.Horizontal));
            var (flipped, _) = Run(preprocess, backbone, mirror);
            agreement += VectorMath.Cosine(pooled, Pool(map, 0, 0, 7));
            views.Add((pooled, Regions.Select(r => Pool(map, r.Row, r.Col, r.Size)).ToArray(), flipped));
        }
        report.Note($"version {model.Id}: {set.Count} evaluation images; the whole map pooled here agrees with the graph's pooling at cosine {agreement / set.Count:0.0000}");

        var whole = model.Embed(views.Select(v => v.Whole).ToList(), cancellationToken);
        var regions = views.Select(v => model.Embed(v.Regions, cancellationToken)).ToList();
        var averaged = model.Embed(views.Select(v => Mean(v.Whole, v.Flipped)).ToList(), cancellationToken);
        var sets = active.TextQuerySets();
        var methods = new (string Name, Func<float[], int, float> Score)[]
        {
            ("whole", (q, i) => TensorPrimitives.Dot(q, whole[i])),
            ("best region", (q, i) => regions[i].Append(whole[i]).Max(r => TensorPrimitives.Dot(q, r))),
            ("whole + best region", (q, i) => 0.5f * TensorPrimitives.Dot(q, whole[i]) + 0.5f * regions[i].Max(r => TensorPrimitives.Dot(q, r))),
            ("whole + mean region", (q, i) => 0.5f * TensorPrimitives.Dot(q, whole[i]) + 0.5f * regions[i].Average(r => TensorPrimitives.Dot(q, r))),
            ("whole and mirror", (q, i) => TensorPrimitives.Dot(q, averaged[i])),
            ("whole and mirror + best region", (q, i) => 0.5f * TensorPrimitives.Dot(q, averaged[i]) + 0.5f * regions[i].Max(r => TensorPrimitives.Dot(q, r))),
        };
        var encoded = sets.ToDictionary(s => s.Name, s => labelVectors.Get(s.Queries.Select(q => q.Text).ToList(), cancellationToken));
        foreach (var (name, score) in methods)
        {
            var figures = sets.ToDictionary(s => s.Name, s => Math.Round(PrecisionAt5(s.Queries, encoded[s.Name], set.Count, score), 4));
            report.Figures("regions", new { method = name, names = figures["names"], broader = figures["broader"], everyday = figures["everyday"] });
        }
    }

    private static (float[] Pooled, float[] Map) Run(InferenceSession preprocess, InferenceSession backbone, SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24> pixels)
    {
        var byName = RunAll(preprocess, backbone, pixels);
        return (byName[backbone.OutputMetadata.Keys.First(k => k != MapOutput)], byName[MapOutput]);
    }

    /// <summary>An image through the preprocessing and backbone sessions, as the product's extractor feeds them: every backbone output by name.</summary>
    internal static Dictionary<string, float[]> RunAll(InferenceSession preprocess, InferenceSession backbone,
        SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24> pixels)
    {
        var input = OnnxFeatureExtractor.ToPlanarRgb(pixels, 224);
        using var prepared = preprocess.Run([NamedOnnxValue.CreateFromTensor(preprocess.InputMetadata.Keys.First(), input)]);
        var tensor = prepared.First().AsTensor<float>().ToDenseTensor();
        if (tensor.Rank == 3) tensor = tensor.Reshape([1, .. tensor.Dimensions]).ToDenseTensor();
        using var output = backbone.Run([NamedOnnxValue.CreateFromTensor(backbone.InputMetadata.Keys.First(), tensor)], backbone.OutputMetadata.Keys.ToList());
        return output.ToDictionary(o => o.Name, o => o.AsEnumerable<float>().ToArray());
    }

    /// <summary>The mean of a square of cells of the 512×7×7 map (channel-major).</summary>
    private static float[] Pool(float[] map, int row, int col, int size)
    {
        int channels = map.Length / 49;
        var pooled = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            float sum = 0;
            for (int y = row; y < row + size; y++)
                for (int x = col; x < col + size; x++) sum += map[c * 49 + y * 7 + x];
            pooled[c] = sum / (size * size);
        }
        return pooled;
    }

    private static float[] Mean(float[] a, float[] b)
    {
        var mean = new float[a.Length];
        TensorPrimitives.Add(a, b, mean);
        TensorPrimitives.Multiply(mean, 0.5f, mean);
        return mean;
    }

    private static double PrecisionAt5(IReadOnlyList<TextQuery> queries, float[][] vectors, int images, Func<float[], int, float> score)
    {
        if (queries.Count == 0) return double.NaN;
        double total = 0;
        for (int q = 0; q < queries.Count; q++)
        {
            var top = Enumerable.Range(0, images).Select(i => (i, s: score(vectors[q], i))).OrderByDescending(p => p.s).ThenBy(p => p.i).Take(TextQueries.Depth);
            total += top.Count(p => queries[q].Relevant.Contains(p.i)) / (double)Math.Min(TextQueries.Depth, queries[q].Relevant.Count);
        }
        return total / queries.Count;
    }
}
