using System.Numerics.Tensors;
using DeviseWeb.Engine.Text;

namespace DeviseWeb.Engine.Evaluation;

/// <summary>
/// Which gallery images are real photographs: by the file-name convention of the demo data (scripts/build-demo-data.sh),
/// "photo-" for Tux Paint's photo cut-outs and "scene-" for its scene photographs. A user can name their own
/// photographs so to measure transfer on them.
/// </summary>
public static class PhotoDomain
{
    public static bool IsPhoto(string fileName) =>
        fileName.StartsWith("photo-", StringComparison.OrdinalIgnoreCase) || IsScene(fileName);

    /// <summary>A scene photograph: a whole picture with a background, not a cut-out.</summary>
    public static bool IsScene(string fileName) => fileName.StartsWith("scene-", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A text query of the photo evaluation and the photos (row numbers) that answer it.</summary>
public sealed record PhotoQuery(string Text, IReadOnlySet<int> Relevant);

/// <summary>
/// Text→image precision@5 over a set of photographs that the head never trained on: for each query, the share of
/// its 5 best-ranked photos that are relevant, divided by min(5, relevant count) rather than 5 so a query with two
/// relevant photos can score 100%. Chance is what a random ranking scores in expectation, 5·r/(n·min(5, r)).
/// </summary>
public static class PhotoTransfer
{
    public const int Depth = 5;
    /// <summary>Levels of WordNet hypernyms above a label that count as its broader words.</summary>
    public const int BroaderDepth = 3;

    /// <summary>One query per label: its photos are relevant.</summary>
    public static IReadOnlyList<PhotoQuery> ExactQueries(IReadOnlyList<string> photoLabels) =>
        photoLabels.Select((label, row) => (label, row)).GroupBy(p => p.label, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new PhotoQuery(g.Key, g.Select(p => p.row).ToHashSet())).ToList();

    /// <summary>
    /// One query per hypernym word of the photos' labels (<see cref="BroaderDepth"/> levels up the first WordNet
    /// sense): the photos of every label under it are relevant. Words that are themselves labels are left to the
    /// exact queries; a word that covers every photo measures nothing and is skipped.
    /// </summary>
    public static IReadOnlyList<PhotoQuery> BroaderQueries(IReadOnlyList<string> photoLabels, Func<string, IReadOnlyList<string>> hypernymsOf)
    {
        var labels = new HashSet<string>(photoLabels, StringComparer.Ordinal);
        var relevant = new SortedDictionary<string, HashSet<int>>(StringComparer.Ordinal);
        var byLabel = photoLabels.Distinct(StringComparer.Ordinal).ToDictionary(l => l, hypernymsOf, StringComparer.Ordinal);
        for (int row = 0; row < photoLabels.Count; row++)
            foreach (var word in byLabel[photoLabels[row]])
            {
                if (labels.Contains(word)) continue;
                if (!relevant.TryGetValue(word, out var rows)) relevant[word] = rows = [];
                rows.Add(row);
            }
        return relevant.Where(p => p.Value.Count < photoLabels.Count).Select(p => new PhotoQuery(p.Key, p.Value)).ToList();
    }

    /// <summary>
    /// Mean capped precision@5 of the queries over unit image vectors, with its chance; null without queries or photos.
    /// With a hub penalty per image (CSLS), images rank by 2·cos − penalty instead of cos.
    /// </summary>
    public static Metric? PrecisionAt5(IReadOnlyList<float[]> images, IReadOnlyList<PhotoQuery> queries, IReadOnlyList<float[]> queryVectors,
        IReadOnlyList<float>? hubPenalty = null)
    {
        if (images.Count == 0 || queries.Count == 0) return null;
        double precision = 0, chance = 0;
        var scores = new float[images.Count];
        for (int q = 0; q < queries.Count; q++)
        {
            for (int i = 0; i < images.Count; i++)
                scores[i] = hubPenalty is null ? TensorPrimitives.Dot(queryVectors[q], images[i]) : 2 * TensorPrimitives.Dot(queryVectors[q], images[i]) - hubPenalty[i];
            var ranked = scores;
            int depth = Math.Min(Depth, images.Count);
            var top = Enumerable.Range(0, images.Count).OrderByDescending(i => ranked[i]).ThenBy(i => i).Take(depth);
            int relevant = queries[q].Relevant.Count, cap = Math.Min(depth, relevant);
            precision += top.Count(queries[q].Relevant.Contains) / (double)cap;
            chance += depth * relevant / ((double)images.Count * cap);
        }
        return new Metric(precision / queries.Count, chance / queries.Count, queries.Count);
    }
}
