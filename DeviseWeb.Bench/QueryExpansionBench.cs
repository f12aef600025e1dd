using DeviseWeb.Cli;
using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Text;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Bench;

/// <summary>
/// How the query-side label mix was set: the evaluation set's text queries (label names, broader words, everyday
/// words) and precision@9 on seen labels under a store's active version, for text queries moved toward their nearest
/// trained labels by several amounts. A quality sweep: <c>--only expand --data DIR</c>.
/// </summary>
public static class QueryExpansionBench
{
    public static async Task RunAsync(CliArguments cli, BenchReport report, CancellationToken cancellationToken)
    {
        using var host = CliHost.Build(cli);
        await CliHost.StartAsync(host, cancellationToken);
        var services = host.Services;
        var images = services.GetRequiredService<ImageRepository>();
        var labelVectors = services.GetRequiredService<LabelVectors>();
        var options = services.GetRequiredService<Engine.EngineOptions>();
        var wordNet = services.GetRequiredService<Lazy<WordNetHypernyms?>>().Value;
        using var lease = services.GetRequiredService<ModelService>().Acquire();
        var model = lease.Model;
        var record = model.Record;
        var indexed = model.Index.Ids().ToHashSet();
        var labelOf = images.IdsAndLabels().Where(i => indexed.Contains(i.Id)).ToDictionary(i => i.Id, i => i.Label);
        var split = new DatasetSplit(record.TrainImageIds, record.ValidationImageIds, record.HeldOutImageIds, record.HeldOutLabels);
        var set = EvaluationService.EvaluationSet(labelOf, split, images.EvaluationIds());
        var setLabels = set.Select(id => labelOf[id]).ToList();
        var vectors = set.Select(id => model.Index.Get(id)!).ToList();
        var trained = record.TrainImageIds.Where(labelOf.ContainsKey).Select(id => labelOf[id]).Distinct().Order(StringComparer.Ordinal).ToList();
        var anchors = new LabelAnchors(trained, labelVectors.Get(trained, cancellationToken));
        var sets = new (string Name, IReadOnlyList<TextQuery> Queries)[]
        {
            ("names", TextQueries.LabelNames(setLabels)),
            ("broader", wordNet is null ? [] : TextQueries.BroaderWords(setLabels, l => wordNet.Of(l, TextQueries.BroaderDepth))),
            ("everyday", EverydayWords.Queries(File.Exists(options.EverydayWordsPath) ? EverydayWords.Read(options.EverydayWordsPath) : [], setLabels)),
        };
        var encoded = sets.ToDictionary(s => s.Name, s => labelVectors.Get(s.Queries.Select(q => q.Text).ToList(), cancellationToken));
        var counts = labelOf.Values.CountBy(l => l).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var trainedVectors = labelVectors.Get(trained, cancellationToken);
        report.Note($"version {model.Id}: {set.Count} evaluation images, {trained.Count} trained labels; " +
            string.Join(", ", sets.Select(s => $"{s.Queries.Count} {s.Name}")));
        if (cli.Has("--verbose"))
            foreach (var (name, queries) in sets)
                for (int q = 0; q < queries.Count; q++)
                {
                    var top = Enumerable.Range(0, vectors.Count).OrderByDescending(i => System.Numerics.Tensors.TensorPrimitives.Dot(encoded[name][q], vectors[i])).Take(TextQueries.Depth);
                    report.Note($"{name} '{queries[q].Text}': {string.Join(", ", top.Select(i => (queries[q].Relevant.Contains(i) ? "+" : "-") + setLabels[i]))}");
                }
        foreach (var (k, temperature, keep) in Settings())
        {
            var scores = new Dictionary<string, double>();
            foreach (var (name, queries) in sets)
            {
                var moved = encoded[name].Select(q => anchors.Expand(q, k, temperature, keep)).ToList();
                scores[name] = Math.Round(TextQueries.PrecisionAt5(vectors, queries, moved)?.Value ?? double.NaN, 4);
            }
            double seen = 0;
            for (int i = 0; i < trained.Count; i++)
            {
                var hits = model.Index.Search(anchors.Expand(trainedVectors[i], k, temperature, keep), Evaluator.PrecisionDepth);
                seen += hits.Count(h => labelOf.GetValueOrDefault(h.Id) == trained[i]) / (double)Evaluator.PrecisionDepth;
            }
            report.Figures("expand", new
            {
                neighbours = k, temperature, keep, names = scores["names"], broader = scores["broader"], everyday = scores["everyday"],
                seen_p9 = Math.Round(seen / Math.Max(1, trained.Count), 4),
            });
        }
        await host.StopAsync(CancellationToken.None);
    }

    private static IEnumerable<(int, float, float)> Settings()
    {
        yield return (10, 0.05f, 1f);
        foreach (int k in new[] { 5, 20 })
            foreach (float temperature in new[] { 0.02f, 0.05f, 0.1f })
                foreach (float keep in new[] { 0.75f, 0.5f, 0.25f, 0f })
                    yield return (k, temperature, keep);
    }
}
