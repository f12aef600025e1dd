using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DeviseWeb.Bench;

/// <summary>
/// Backbone throughput, float against int8, on the same inputs in one process: each setting (threads inside one run,
/// runs side by side, batch size) is timed for both models in turn, round after round, so load from the other
/// engineer on this shared machine falls on both alike. Figures are medians over rounds; ratios are int8 / float.
/// </summary>
internal static class Int8Speed
{
    private sealed record Setting(string Name, int Threads, int SideBySide, int Batch);

    private static readonly Setting[] Settings =
    [
        new("1_thread", 1, 1, 1),
        new("2_threads", 2, 1, 1),
        new("2_runs_of_1_thread", 1, 2, 1),
        new("batch8_1_thread", 1, 1, 8),
        new("batch8_2_threads", 2, 1, 8),
    ];

    /// <param name="models">Each model: as built (batch 1), with a symbolic batch, and its inputs (the float model's are preprocessed).</param>
    public static object Measure(IReadOnlyDictionary<string, (byte[] Batch1, byte[] Batched, IReadOnlyList<DenseTensor<float>> Inputs)> models, int rounds)
    {
        int count = models.Values.Min(m => m.Inputs.Count) / 8 * 8;
        var sessions = new List<(string Model, Setting Setting, InferenceSession Session)>();
        var inputsOf = models.ToDictionary(m => m.Key, m => m.Value.Inputs);
        try
        {
            foreach (var setting in Settings)
                foreach (var (name, model) in models)
                {
                    using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = setting.Threads };
                    sessions.Add((name, setting, new InferenceSession(setting.Batch == 1 ? model.Batch1 : model.Batched, options)));
                }
            foreach (var (model, setting, session) in sessions) Time(session, setting, inputsOf[model], setting.Batch * 2); // warm-up
            var runs = sessions.ToDictionary(s => (s.Model, s.Setting.Name), _ => new List<double>());
            for (int round = 0; round < rounds; round++)
                foreach (var (model, setting, session) in sessions)
                    runs[(model, setting.Name)].Add(Time(session, setting, inputsOf[model], count));
            var imagesPerSecond = runs.ToDictionary(r => $"{r.Key.Model}_{r.Key.Name}", r => BenchMath.Percentile(r.Value, 50));
            var names = models.Keys.ToList();
            var ratios = Settings.ToDictionary(s => s.Name, s => imagesPerSecond[$"{names[1]}_{s.Name}"] / imagesPerSecond[$"{names[0]}_{s.Name}"]);
            return new { images = count, rounds, img_per_s = imagesPerSecond, ratio = ratios };
        }
        finally
        {
            foreach (var (_, _, session) in sessions) session.Dispose();
        }
    }

    private static double Time(InferenceSession session, Setting setting, IReadOnlyList<DenseTensor<float>> inputs, int count)
    {
        string input = session.InputMetadata.Keys.First();
        var batches = Enumerable.Range(0, count / setting.Batch)
            .Select(b => setting.Batch == 1 ? inputs[b] : Int8Inputs.Batch(inputs, b * setting.Batch, setting.Batch)).ToList();
        var clock = Stopwatch.StartNew();
        Parallel.ForEach(batches, new ParallelOptions { MaxDegreeOfParallelism = setting.SideBySide }, batch =>
        {
            using var result = session.Run([NamedOnnxValue.CreateFromTensor(input, batch)]);
        });
        return count / clock.Elapsed.TotalSeconds;
    }
}
