using DeviseWeb.Engine.Search;
using static TorchSharp.torch;

namespace DeviseWeb.Engine.Text;

/// <summary>Words in the text space, for image → keywords: nearest words to an image's predicted vector.</summary>
public sealed class KeywordVocabulary(IReadOnlyList<string> words, VectorIndex index)
{
    public IReadOnlyList<string> Words { get; } = words;
    public int Count => Words.Count;

    public static KeywordVocabulary Build(IReadOnlyList<string> words, float[][] vectors, Device device) =>
        new(words, VectorIndex.Build(Enumerable.Range(0, words.Count).ToArray(), vectors, vectors.Length > 0 ? vectors[0].Length : 384, device));

    public IReadOnlyList<(string Word, float Score)> Nearest(float[] vector, int k) =>
        index.Search(vector, k).Select(h => (Words[h.Id], h.Score)).ToList();
}
