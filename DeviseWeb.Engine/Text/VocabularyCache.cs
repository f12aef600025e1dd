using System.Text;

namespace DeviseWeb.Engine.Text;

/// <summary>
/// WordNet nouns embedded once (a few minutes for 117,798 lemmas on 2 cores) and kept as a binary file in the data
/// directory; rebuilt when the word list, its size limit or the text encoder changes.
/// </summary>
public static class VocabularyCache
{
    private const string Magic = "DEVISE-VOCAB-1";

    public static (IReadOnlyList<string> Words, float[][] Vectors) LoadOrBuild(
        string cachePath, string sourcePath, int limit, ITextEncoder encoder,
        IProgress<(int Done, int Total)>? progress, CancellationToken cancellationToken)
    {
        if (!File.Exists(sourcePath)) return ([], []);
        string stamp = $"{encoder.Name}|{Path.GetFullPath(sourcePath)}|{new FileInfo(sourcePath).Length}|{limit}";
        if (TryLoad(cachePath, stamp) is { } cached) return cached;

        var words = WordNetNouns.Read(sourcePath, limit);
        var vectors = new float[words.Count][];
        // Encoded shortest first: a batch is padded to its longest phrase, and alphabetical order mixes one-word nouns
        // with long compounds in every batch.
        var order = Enumerable.Range(0, words.Count).OrderBy(i => words[i].Length).ThenBy(i => i).ToArray();
        const int chunk = 512;
        for (int start = 0; start < words.Count; start += chunk)
        {
            var rows = order.Skip(start).Take(chunk).ToArray();
            var part = encoder.Encode(rows.Select(i => words[i]).ToArray(), cancellationToken);
            for (int i = 0; i < rows.Length; i++) vectors[rows[i]] = part[i];
            progress?.Report((Math.Min(start + chunk, words.Count), words.Count));
        }
        Save(cachePath, stamp, words, vectors);
        return (words, vectors);
    }

    private static (IReadOnlyList<string>, float[][])? TryLoad(string path, string stamp)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
            if (reader.ReadString() != Magic || reader.ReadString() != stamp) return null;
            int count = reader.ReadInt32(), dimension = reader.ReadInt32();
            var words = new string[count];
            for (int i = 0; i < count; i++) words[i] = reader.ReadString();
            var vectors = new float[count][];
            var bytes = new byte[dimension * sizeof(float)];
            for (int i = 0; i < count; i++)
            {
                reader.BaseStream.ReadExactly(bytes);
                vectors[i] = VectorMath.FromBytes(bytes);
            }
            return (words, vectors);
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or FormatException)
        {
            return null; // a damaged cache is rebuilt, never trusted
        }
    }

    private static void Save(string path, string stamp, IReadOnlyList<string> words, float[][] vectors)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temporary = path + ".tmp";
        using (var writer = new BinaryWriter(File.Create(temporary), Encoding.UTF8))
        {
            writer.Write(Magic);
            writer.Write(stamp);
            writer.Write(words.Count);
            writer.Write(vectors.Length > 0 ? vectors[0].Length : 0);
            foreach (var word in words) writer.Write(word);
            foreach (var vector in vectors) writer.Write(VectorMath.ToBytes(vector));
        }
        File.Move(temporary, path, overwrite: true);
    }
}
