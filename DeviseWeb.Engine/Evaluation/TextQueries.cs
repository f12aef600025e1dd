using System.Numerics.Tensors;

namespace DeviseWeb.Engine.Evaluation;

/// <summary>A text query of the evaluation set and the evaluation images (row numbers) that answer it.</summary>
public sealed record TextQuery(string Text, IReadOnlySet<int> Relevant);

/// <summary>
/// Text→image queries over the evaluation set, images the version never trained on, and their precision@5: for each
/// query, the share of its 5 best-ranked images that are relevant, divided by min(5, relevant count) rather than 5
/// so a query with two relevant images can score 100%. Chance is what a random ranking scores in expectation,
/// 5·r/(n·min(5, r)). Each query set is one method here; another (everyday words judged by hand) is another method.
/// </summary>
public static class TextQueries
{
    public const int Depth = 5;

    /// <summary>Levels of WordNet hypernyms above a label that count as its broader words.</summary>
    public const int BroaderDepth = 3;

    /// <summary>One query per label: its images are relevant.</summary>
    public static IReadOnlyList<TextQuery> LabelNames(IReadOnlyList<string> imageLabels) =>
        imageLabels.Select((label, row) => (label, row)).GroupBy(p => p.label, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new TextQuery(g.Key, g.Select(p => p.row).ToHashSet())).ToList();

    /// <summary>
    /// One query per hypernym word of the images' labels (<see cref="BroaderDepth"/> levels up the first WordNet
    /// sense): the images of every label under it are relevant. Words that are themselves labels are left to the
    /// label-name queries; a word that covers every image measures nothing and is skipped.
    /// </summary>
    public static IReadOnlyList<TextQuery> BroaderWords(IReadOnlyList<string> imageLabels, Func<string, IReadOnlyList<string>> hypernymsOf)
    {
        var labels = new HashSet<string>(imageLabels, StringComparer.Ordinal);
        var relevant = new SortedDictionary<string, HashSet<int>>(StringComparer.Ordinal);
        var byLabel = imageLabels.Distinct(StringComparer.Ordinal).ToDictionary(l => l, hypernymsOf, StringComparer.Ordinal);
        for (int row = 0; row < imageLabels.Count; row++)
            foreach (var word in byLabel[imageLabels[row]])
            {
                if (labels.Contains(word)) continue;
                if (!relevant.TryGetValue(word, out var rows)) relevant[word] = rows = [];
                rows.Add(row);
            }
        return relevant.Where(p => p.Value.Count < imageLabels.Count).Select(p => new TextQuery(p.Key, p.Value)).ToList();
    }

    /// <summary>Mean capped precision@5 of the queries over unit image vectors ranked by cosine, with its chance; null without queries or images.</summary>
    public static Metric? PrecisionAt5(IReadOnlyList<float[]> images, IReadOnlyList<TextQuery> queries, IReadOnlyList<float[]> queryVectors)
    {
        if (images.Count == 0 || queries.Count == 0) return null;
        double precision = 0, chance = 0;
        var scores = new float[images.Count];
        int depth = Math.Min(Depth, images.Count);
        for (int q = 0; q < queries.Count; q++)
        {
            for (int i = 0; i < images.Count; i++) scores[i] = TensorPrimitives.Dot(queryVectors[q], images[i]);
            var ranked = scores;
            var top = Enumerable.Range(0, images.Count).OrderByDescending(i => ranked[i]).ThenBy(i => i).Take(depth);
            int relevant = queries[q].Relevant.Count, cap = Math.Min(depth, relevant);
            precision += top.Count(queries[q].Relevant.Contains) / (double)cap;
            chance += depth * relevant / ((double)images.Count * cap);
        }
        return new Metric(precision / queries.Count, chance / queries.Count, queries.Count);
    }
}
