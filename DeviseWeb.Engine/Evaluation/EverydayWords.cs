namespace DeviseWeb.Engine.Evaluation;

/// <summary>An everyday word and the labels whose evaluation images a person would be glad to find with it.</summary>
public sealed record EverydayWord(string Word, IReadOnlyList<string> Labels);

/// <summary>
/// A dataset's <see cref="FileName"/>: everyday words that are no label, judged by hand against its evaluation set,
/// one "word &lt;TAB&gt; label, label, …" a line ('#' starts a comment). The import keeps a copy in the data directory;
/// the evaluation turns each word into a text query whose relevant images are the evaluation images of its labels.
/// </summary>
public static class EverydayWords
{
    public const string FileName = "evaluation-queries.tsv";

    /// <summary>The words of a file; a malformed line throws <see cref="InvalidInputException"/> naming the file and line.</summary>
    public static IReadOnlyList<EverydayWord> Read(string path)
    {
        string name = Path.GetFileName(path);
        var words = new List<EverydayWord>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0 || line.TrimStart()[0] == '#') continue;
            var fields = line.Split('\t');
            var word = fields[0].Trim();
            var labels = fields.Length == 2 ? fields[1].Split(',').Select(l => l.Trim()).Where(l => l.Length > 0).Distinct(StringComparer.Ordinal).ToList() : [];
            if (fields.Length != 2 || word.Length == 0 || labels.Count == 0)
                throw new InvalidInputException($"{name}: line {number}: expected \"word<TAB>label, label, ...\", got '{line}'.");
            if (!seen.Add(word)) throw new InvalidInputException($"{name}: line {number}: '{word}' is listed twice.");
            words.Add(new EverydayWord(word, labels));
        }
        return words;
    }

    /// <summary>
    /// One query per word over the evaluation images (<paramref name="imageLabels"/>, by row): the rows of its labels are
    /// relevant. A word that is a label of the set measures label names and is skipped; so is one with no relevant row.
    /// </summary>
    public static IReadOnlyList<TextQuery> Queries(IReadOnlyList<EverydayWord> words, IReadOnlyList<string> imageLabels)
    {
        var present = new HashSet<string>(imageLabels, StringComparer.Ordinal);
        var queries = new List<TextQuery>();
        foreach (var word in words)
        {
            if (present.Contains(word.Word)) continue;
            var labels = word.Labels.ToHashSet(StringComparer.Ordinal);
            var relevant = Enumerable.Range(0, imageLabels.Count).Where(row => labels.Contains(imageLabels[row])).ToHashSet();
            if (relevant.Count > 0 && relevant.Count < imageLabels.Count) queries.Add(new TextQuery(word.Word, relevant));
        }
        return queries;
    }
}
