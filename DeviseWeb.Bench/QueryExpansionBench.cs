using DeviseWeb.Cli;
using DeviseWeb.Engine;
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
        using var active = await ActiveEvaluationSet.OpenAsync(cli, cancellationToken);
        var (model, labelOf, setLabels, vectors, trained) = (active.Model, active.LabelOf, active.SetLabels, active.Embeddings, active.TrainedLabels);
        var set = active.Set;
        var labelVectors = active.Get<LabelVectors>();
        var options = active.Get<Engine.EngineOptions>();
        var wordNet = active.Get<Lazy<WordNetHypernyms?>>().Value;
        var anchors = new LabelAnchors(trained, labelVectors.Get(trained, cancellationToken));
        var sets = active.TextQuerySets();
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

        // The keyword vocabulary's neighbours (the 117,798 WordNet nouns, when the store has embedded them), and WordNet
        // downward: the trained labels a word is a hypernym of, 3 levels up.
        if (File.Exists(options.VocabularyCachePath))
        {
            var (words, wordVectors) = VocabularyCache.LoadOrBuild(options.VocabularyCachePath, options.VocabularyPath, options.VocabularyLimit,
                labelVectors.Encoder, null, cancellationToken);
            var vocabulary = new LabelAnchors([.. words], wordVectors);
            foreach (var (k, temperature, keep) in new[] { (5, 0.05f, 0.75f), (5, 0.05f, 0.5f), (20, 0.05f, 0.5f), (20, 0.1f, 0.25f) })
            {
                var scores = sets.ToDictionary(x => x.Name, x => Math.Round(TextQueries.PrecisionAt5(vectors, x.Queries,
                    encoded[x.Name].Select(q => vocabulary.Expand(q, k, temperature, keep)).ToList())?.Value ?? double.NaN, 4));
                report.Figures("expand", new { toward = "vocabulary", neighbours = k, temperature, keep, names = scores["names"], broader = scores["broader"], everyday = scores["everyday"] });
            }
        }
        if (wordNet is not null)
        {
            var under = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            for (int i = 0; i < trained.Count; i++)
                foreach (var word in wordNet.Of(trained[i], TextQueries.BroaderDepth))
                    (under.TryGetValue(word, out var list) ? list : under[word] = []).Add(i);
            var galleryLabels = labelOf.Values.ToHashSet(StringComparer.Ordinal);
            foreach (bool onlyNoLabel in new[] { false, true })
            foreach (float keep in new[] { 0.75f, 0.5f, 0.25f })
            {
                int expanded = 0;
                var scores = sets.ToDictionary(x => x.Name, x => Math.Round(TextQueries.PrecisionAt5(vectors, x.Queries, x.Queries.Select((q, i) =>
                {
                    if (onlyNoLabel && galleryLabels.Contains(q.Text)) return encoded[x.Name][i];
                    if (!under.TryGetValue(q.Text, out var rows)) return encoded[x.Name][i];
                    if (x.Name == "everyday") expanded++;
                    var mean = new float[encoded[x.Name][i].Length];
                    foreach (int row in rows) System.Numerics.Tensors.TensorPrimitives.Add(mean, trainedVectors[row], mean);
                    var mixed = new float[mean.Length];
                    System.Numerics.Tensors.TensorPrimitives.Multiply(encoded[x.Name][i], keep, mixed);
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(VectorMath.Normalized(mean), 1 - keep, mixed, mixed);
                    return VectorMath.Normalized(mixed);
                }).ToList())?.Value ?? double.NaN, 4));
                report.Figures("expand", new { toward = onlyNoLabel ? "wordnet-hyponym-labels-for-words-no-label" : "wordnet-hyponym-labels", keep, everyday_words_expanded = expanded, names = scores["names"], broader = scores["broader"], everyday = scores["everyday"] });
            }
        }
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
