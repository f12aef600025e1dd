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

    /// <summary>
    /// Mean capped precision@5 of the queries over unit image vectors ranked by cosine (ties to the lower row), with its
    /// chance; null without queries or images. Each query keeps only its best <see cref="Depth"/> rows as it scores them.
    /// <paramref name="answered"/> hears the queries done so far; a cancel is checked before each query.
    /// </summary>
    public static Metric? PrecisionAt5(IReadOnlyList<float[]> images, IReadOnlyList<TextQuery> queries, IReadOnlyList<float[]> queryVectors,
        Action<int>? answered = null, CancellationToken cancellationToken = default)
    {
        if (images.Count == 0 || queries.Count == 0) return null;
        double precision = 0, chance = 0;
        int depth = Math.Min(Depth, images.Count);
        Span<int> top = stackalloc int[depth];
        Span<float> topScores = stackalloc float[depth];
        for (int q = 0; q < queries.Count; q++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int kept = 0;
            for (int i = 0; i < images.Count; i++)
            {
                float score = TensorPrimitives.Dot(queryVectors[q], images[i]);
                // Rows come in ascending order, so one that only ties the weakest kept row ranks after it.
                if (kept == depth && !(score > topScores[depth - 1])) continue;
                int at = kept < depth ? kept++ : depth - 1;
                while (at > 0 && score > topScores[at - 1])
                {
                    topScores[at] = topScores[at - 1];
                    top[at] = top[at - 1];
                    at--;
                }
                topScores[at] = score;
                top[at] = i;
            }
            int relevant = queries[q].Relevant.Count, cap = Math.Min(depth, relevant), found = 0;
            foreach (int row in top[..kept])
                if (queries[q].Relevant.Contains(row)) found++;
            precision += found / (double)cap;
            chance += depth * relevant / ((double)images.Count * cap);
            answered?.Invoke(q + 1);
        }
        return new Metric(precision / queries.Count, chance / queries.Count, queries.Count);
    }
}
