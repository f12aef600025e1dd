using System.Diagnostics;
using DeviseWeb.Cli;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Text;
using DeviseWeb.Engine.Training;
using DeviseWeb.Engine.Training.Methods;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static TorchSharp.torch;

namespace DeviseWeb.Bench;

/// <summary>
/// Would fine-tuning the backbone's last stage help? On a store (the demo): the backbone's layer-3 output is computed
/// once per image (a second ONNX output); the last stage, rebuilt in TorchSharp from the ONNX weights, is trained
/// together with a DeViSE head on the training split (loss 1 − cosine to the label's text vector); every image's
/// features then come from the tuned stage, and the product's default pipeline trains and is measured on them,
/// beside the same pipeline on the original features in the same run. A measurement, not a product path:
/// <c>--only finetune --data DIR [--train-epochs N]</c>.
/// </summary>
public static class FineTuneBench
{
    private const string StageInput = "ReLU347_Output_0", StageOutput = "ReLU393_Output_0";
    private const int Batch = 32;
    private const double HeadRate = 1e-3;
    private static readonly double[] StageRates = [1e-5, 1e-4];

    public static async Task RunAsync(CliArguments cli, int epochs, BenchReport report, CancellationToken cancellationToken)
    {
        using var host = CliHost.Build(cli);
        await CliHost.StartAsync(host, cancellationToken);
        var services = host.Services;
        var options = services.GetRequiredService<EngineOptions>();
        var images = services.GetRequiredService<ImageRepository>();
        var gallery = services.GetRequiredService<GalleryService>();
        var loader = services.GetRequiredService<SafeImageLoader>();
        var features = services.GetRequiredService<FeatureStore>();
        var labelVectors = services.GetRequiredService<LabelVectors>();
        var pipeline = services.GetRequiredService<TrainingPipeline>();
        var evaluation = services.GetRequiredService<EvaluationService>();

        var ids = features.Ids().ToArray();
        var labelOf = images.IdsAndLabels().Where(i => ids.Contains(i.Id)).ToDictionary(i => i.Id, i => i.Label);
        ids = ids.Where(labelOf.ContainsKey).ToArray();
        var evaluationIds = images.EvaluationIds().Where(labelOf.ContainsKey).ToList();
        var isEvaluation = evaluationIds.ToHashSet();
        var training = new TrainingOptions();
        var split = DatasetSplitter.Split(ids.Where(id => !isEvaluation.Contains(id)).Select(id => (id, labelOf[id])).ToList(), training);

        // 1. The layer-3 output of every image, once.
        var clock = Stopwatch.StartNew();
        var model = File.ReadAllBytes(options.BackboneModelPath);
        using var preprocess = new InferenceSession(options.PreprocessModelPath);
        using var backbone = new InferenceSession(OnnxGraphOutputs.Add(model, [StageInput]));
        var layer3 = new float[ids.Length][];
        var pooled = new float[ids.Length][];
        Parallel.For(0, ids.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, i =>
        {
            using var image = loader.Load(gallery.OriginalPath(ids[i]));
            var outputs = RegionBench.RunAll(preprocess, backbone, image.Pixels);
            layer3[i] = outputs[StageInput];
            pooled[i] = VectorMath.Normalized(outputs.Single(o => o.Key != StageInput).Value);
        });
        double cacheSeconds = clock.Elapsed.TotalSeconds;

        using var stage = new OnnxStage(model, StageInput, StageOutput);
        var agreement = Features(stage, layer3[..8]).Zip(pooled[..8]).Average(p => VectorMath.Cosine(p.First, p.Second));
        report.Note($"{ids.Length} images: layer-3 outputs cached in {cacheSeconds:0.0} s ({layer3.Length * (long)layer3[0].Length * 4 / 1e6:0} MB); " +
            $"the stage's {stage.Operators} operators in TorchSharp agree with ONNX at cosine {agreement:0.0000}");

        // 2. The default pipeline on the original features: the reference of this run.
        report.Figures("finetune", Measure("original features", pooled, 0, 0));

        // 3. The stage and a head, trained together on the training split, at each learning rate from the ONNX weights.
        var rowOf = ids.Select((id, row) => (id, row)).ToDictionary(p => p.id, p => p.row);
        var trainRows = split.TrainImageIds.Select(id => rowOf[id]).ToArray();
        var labels = trainRows.Select(r => labelOf[ids[r]]).Distinct().ToList();
        var targetOf = labels.Zip(labelVectors.Get(labels, cancellationToken)).ToDictionary(p => p.First, p => p.Second);
        foreach (double stageRate in StageRates)
        {
            using var tuning = new OnnxStage(model, StageInput, StageOutput);
            using var head = new DeviseHead(512, training.HiddenSize, labelVectors.Encoder.Dimension, training.Dropout);
            using var stageOptimizer = optim.AdamW(tuning.parameters(), stageRate, weight_decay: 0.01);
            using var headOptimizer = optim.AdamW(head.parameters(), HeadRate, weight_decay: 0.01);
            var random = new Random(training.Seed);
            clock.Restart();
            for (int epoch = 1; epoch <= epochs; epoch++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                tuning.train();
                head.train();
                var order = trainRows.OrderBy(_ => random.Next()).ToArray();
                double loss = 0;
                for (int start = 0; start < order.Length; start += Batch)
                {
                    using var scope = NewDisposeScope();
                    var rows = order[start..Math.Min(order.Length, start + Batch)];
                    var x = Stack(rows.Select(r => layer3[r]).ToList(), layer3[0].Length).reshape(rows.Length, 256, 14, 14);
                    var target = Stack(rows.Select(r => targetOf[labelOf[ids[r]]]).ToList(), labelVectors.Encoder.Dimension);
                    var predicted = head.forward(tuning.forward(x).mean([2, 3]));
                    var batchLoss = (1 - nn.functional.cosine_similarity(predicted, target)).mean();
                    stageOptimizer.zero_grad();
                    headOptimizer.zero_grad();
                    batchLoss.backward();
                    stageOptimizer.step();
                    headOptimizer.step();
                    loss += batchLoss.item<float>() * rows.Length;
                }
                report.Note($"stage rate {stageRate}: epoch {epoch}/{epochs}, training loss {loss / order.Length:0.0000}, {clock.Elapsed.TotalSeconds / epoch:0.0} s an epoch");
            }
            double tuneSeconds = clock.Elapsed.TotalSeconds;

            // 4. Every image's features from the tuned stage, and the default pipeline on them.
            clock.Restart();
            var tuned = Features(tuning, layer3);
            report.Figures("finetune", Measure($"last stage tuned at {stageRate}", tuned, tuneSeconds, clock.Elapsed.TotalSeconds));
        }
        await host.StopAsync(CancellationToken.None);

        object Measure(string name, float[][] rows, double tuningSeconds, double featureSeconds)
        {
            var galleryRows = new GalleryRows(ids, rows, labelOf);
            var size = new TrainingSize(ids.Length, split.TrainImageIds.Count, split.ValidationImageIds.Count, labelOf.Values.Distinct().Count(), 512,
                labelVectors.Encoder.Dimension);
            var trained = pipeline.Fit(galleryRows, split, training, new TrainingPlan(training, size, null, cancellationToken), size);
            using var embedder = trained.Embedder;
            using var index = InProcessVectorIndex.Build(labelVectors.Encoder.Dimension, ids, trained.Embeddings);
            var r = evaluation.Measure(index, labelOf, split, evaluationIds, null, null, cancellationToken);
            return new
            {
                features = name, epochs = tuningSeconds > 0 ? epochs : 0, tune_s = Math.Round(tuningSeconds, 1), features_s = Math.Round(featureSeconds, 1),
                names = Pct(r.PhotoExactPrecisionAt5), broader = Pct(r.PhotoBroaderPrecisionAt5), everyday = Pct(r.EverydayPrecisionAt5),
                seen_p9 = Pct(r.SeenPrecisionAt9), zero_shot_hit5 = Pct(r.ZeroShotHit5),
            };
        }
    }

    private static double Pct(Metric? metric) => Math.Round(100 * (metric?.Value ?? double.NaN), 1);

    /// <summary>Pooled, unit features of layer-3 outputs through the stage, in batches, without gradients.</summary>
    private static float[][] Features(OnnxStage stage, IReadOnlyList<float[]> layer3)
    {
        using var _ = no_grad();
        stage.eval();
        var result = new float[layer3.Count][];
        for (int start = 0; start < layer3.Count; start += 64)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(64, layer3.Count - start);
            var x = Stack(VectorMath.Slice(layer3, start, count), layer3[0].Length).reshape(count, 256, 14, 14);
            var rows = TensorRows.ToRows(stage.forward(x).mean([2, 3]));
            for (int i = 0; i < count; i++) result[start + i] = VectorMath.Normalized(rows[i]);
        }
        return result;
    }

    private static torch.Tensor Stack(IReadOnlyList<float[]> rows, int width) => TensorRows.ToTensor(rows, width);
}
