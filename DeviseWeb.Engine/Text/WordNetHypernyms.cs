using System.Text;

namespace DeviseWeb.Engine.Text;

/// <summary>
/// Broader words for a noun from WordNet (Debian wordnet-base): the hypernyms of its most common sense, nearest
/// first ("sheep" → "bovid", "ruminant", "even-toed ungulate"). Reads index.noun for the sense and seeks into
/// data.noun by the byte offsets WordNet stores, so nothing is loaded whole.
/// </summary>
public sealed class WordNetHypernyms
{
    private readonly Dictionary<string, long> _firstSense = new(StringComparer.Ordinal);
    private readonly string _dataPath;

    private WordNetHypernyms(string dataPath) => _dataPath = dataPath;

    /// <summary>The hypernym reader over index.noun and the data.noun beside it; null when either is missing.</summary>
    public static WordNetHypernyms? Open(string indexNounPath)
    {
        var dataPath = Path.Combine(Path.GetDirectoryName(indexNounPath) ?? ".", "data.noun");
        if (!File.Exists(indexNounPath) || !File.Exists(dataPath)) return null;
        var reader = new WordNetHypernyms(dataPath);
        foreach (var line in File.ReadLines(indexNounPath))
        {
            if (line.Length == 0 || line[0] == ' ') continue;
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || !int.TryParse(fields[2], out int senses) || senses < 1) continue;
            int pointerCount = int.Parse(fields[3]);
            int firstOffset = 4 + pointerCount + 2; // lemma pos synset_cnt p_cnt [ptr...] sense_cnt tagsense_cnt offsets...
            if (firstOffset < fields.Length && long.TryParse(fields[firstOffset], out long offset)) reader._firstSense[fields[0]] = offset;
        }
        return reader;
    }

    /// <summary>Hypernym words of a noun or noun phrase, up to <paramref name="depth"/> levels above its first sense; empty when WordNet lacks it.</summary>
    public IReadOnlyList<string> Of(string noun, int depth)
    {
        if (!_firstSense.TryGetValue(noun.Trim().ToLowerInvariant().Replace(' ', '_'), out long offset)) return [];
        var words = new List<string>();
        var seen = new HashSet<long> { offset };
        var level = new List<long> { offset };
        using var stream = new FileStream(_dataPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        for (int d = 0; d < depth && level.Count > 0; d++)
        {
            var next = new List<long>();
            foreach (var synset in level)
                foreach (var parent in ReadSynset(stream, synset).Hypernyms)
                    if (seen.Add(parent)) next.Add(parent);
            foreach (var parent in next)
            {
                var word = ReadSynset(stream, parent).FirstWord;
                if (!words.Contains(word, StringComparer.Ordinal)) words.Add(word);
            }
            level = next;
        }
        return words;
    }

    /// <summary>A data.noun line: "offset lex_filenum ss_type w_cnt(hex) word lex_id ... p_cnt [ptr offset pos src/tgt]... | gloss".</summary>
    private static (string FirstWord, List<long> Hypernyms) ReadSynset(FileStream stream, long offset)
    {
        stream.Seek(offset, SeekOrigin.Begin);
        var bytes = new List<byte>(256);
        int b;
        while ((b = stream.ReadByte()) is not (-1 or '\n')) bytes.Add((byte)b);
        var fields = Encoding.UTF8.GetString(bytes.ToArray()).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int wordCount = Convert.ToInt32(fields[3], 16);
        string first = fields[4].Replace('_', ' ');
        int at = 4 + 2 * wordCount;
        int pointers = int.Parse(fields[at]);
        var hypernyms = new List<long>();
        for (int p = 0; p < pointers; p++)
        {
            int i = at + 1 + 4 * p;
            if (fields[i] is "@" or "@i" && fields[i + 2] == "n") hypernyms.Add(long.Parse(fields[i + 1]));
        }
        return (first, hypernyms);
    }
}
