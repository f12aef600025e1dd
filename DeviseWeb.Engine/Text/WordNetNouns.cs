namespace DeviseWeb.Engine.Text;

/// <summary>Reads noun lemmas from WordNet's index.noun (Debian package wordnet-base).</summary>
public static class WordNetNouns
{
    /// <summary>
    /// All lemmas with underscores as spaces. With a limit, the most used first: ranked by how often the noun's
    /// senses were tagged in WordNet's semantic concordance (cntlist.rev beside the index; else tagsense_cnt).
    /// </summary>
    public static IReadOnlyList<string> Read(string indexNounPath, int limit = 0)
    {
        var usage = limit > 0 ? ReadUsageCounts(Path.Combine(Path.GetDirectoryName(indexNounPath) ?? ".", "cntlist.rev")) : null;
        var entries = new List<(string Lemma, int Tagged)>();
        foreach (var line in File.ReadLines(indexNounPath))
        {
            if (line.Length == 0 || line[0] == ' ') continue; // licence header
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6) continue;
            int pointerCount = int.Parse(fields[3]);
            int taggedIndex = 4 + pointerCount + 1;
            int tagged = taggedIndex < fields.Length && int.TryParse(fields[taggedIndex], out var t) ? t : 0;
            if (usage is { Count: > 0 }) tagged = usage.GetValueOrDefault(fields[0]);
            entries.Add((fields[0].Replace('_', ' '), tagged));
        }
        IEnumerable<(string Lemma, int Tagged)> chosen = entries;
        if (limit > 0) chosen = entries.OrderByDescending(e => e.Tagged).ThenBy(e => e.Lemma, StringComparer.Ordinal).Take(limit);
        return chosen.Select(e => e.Lemma).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Noun lemma → total tag count over its senses, from lines like "dog%1:05:00:: 1 42".</summary>
    private static Dictionary<string, int> ReadUsageCounts(string cntlistPath)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!File.Exists(cntlistPath)) return counts;
        foreach (var line in File.ReadLines(cntlistPath))
        {
            int percent = line.IndexOf('%');
            if (percent <= 0 || percent + 1 >= line.Length || line[percent + 1] != '1') continue; // nouns only
            var fields = line.Split(' ');
            if (fields.Length >= 3 && int.TryParse(fields[2], out int count))
            {
                string lemma = line[..percent];
                counts[lemma] = counts.GetValueOrDefault(lemma) + count;
            }
        }
        return counts;
    }
}
