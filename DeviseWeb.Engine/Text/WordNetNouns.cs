namespace DeviseWeb.Engine.Text;

/// <summary>Reads noun lemmas from WordNet's index.noun (Debian package wordnet-base).</summary>
public static class WordNetNouns
{
    /// <summary>
    /// All lemmas with underscores as spaces. With a limit, the most used first: ranked by tagsense_cnt,
    /// the number of times the noun's senses were tagged in WordNet's semantic concordance.
    /// </summary>
    public static IReadOnlyList<string> Read(string indexNounPath, int limit = 0)
    {
        var entries = new List<(string Lemma, int Tagged)>();
        foreach (var line in File.ReadLines(indexNounPath))
        {
            if (line.Length == 0 || line[0] == ' ') continue; // licence header
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6) continue;
            int pointerCount = int.Parse(fields[3]);
            int taggedIndex = 4 + pointerCount + 1;
            int tagged = taggedIndex < fields.Length && int.TryParse(fields[taggedIndex], out var t) ? t : 0;
            entries.Add((fields[0].Replace('_', ' '), tagged));
        }
        IEnumerable<(string Lemma, int Tagged)> chosen = entries;
        if (limit > 0) chosen = entries.OrderByDescending(e => e.Tagged).ThenBy(e => e.Lemma, StringComparer.Ordinal).Take(limit);
        return chosen.Select(e => e.Lemma).Distinct(StringComparer.Ordinal).ToList();
    }
}
