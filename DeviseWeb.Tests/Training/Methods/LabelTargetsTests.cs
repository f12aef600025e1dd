using DeviseWeb.Engine;
using DeviseWeb.Engine.Text;
using DeviseWeb.Engine.Training.Methods;

namespace DeviseWeb.Tests.Training.Methods;

public sealed class LabelTargetsTests
{
    /// <summary>The real MiniLM encoder, counting its calls.</summary>
    private sealed class CountingEncoder : ITextEncoder
    {
        private readonly MiniLmTextEncoder _real = new();
        public int Calls { get; private set; }
        public int Dimension => _real.Dimension;
        public string Name => _real.Name;

        public float[][] Encode(IReadOnlyList<string> phrases, CancellationToken cancellationToken = default)
        {
            Calls++;
            return _real.Encode(phrases, cancellationToken);
        }
    }

    private static readonly Lazy<WordNetHypernyms?> WordNet = new(() => WordNetHypernyms.Open("/usr/share/wordnet/index.noun"));

    [Fact]
    public void For_HypernymWeight_MixesEachLabelWithItsBroaderWordsEncodedInOneBatch()
    {
        var encoder = new CountingEncoder();
        var vectors = new LabelVectors(new Lazy<ITextEncoder>(encoder));
        var targets = new LabelTargets(vectors, WordNet);
        string[] labels = ["hammer", "sheep", "lighthouse"];

        var mixed = targets.For(labels, 0.3, CancellationToken.None);

        Assert.Equal(2, encoder.Calls); // the labels, then every broader word at once
        var sheepBroader = WordNet.Value!.Of("sheep", LabelTargets.HypernymDepth);
        Assert.NotEmpty(sheepBroader);
        var expected = LabelTargets.Mix(vectors.Get(["sheep"])[0], vectors.Get(sheepBroader), 0.3);
        Assert.True(VectorMath.Cosine(expected, mixed["sheep"]) > 0.9999f);
        var plain = vectors.Get(["sheep"])[0];
        Assert.InRange(VectorMath.Cosine(plain, mixed["sheep"]), 0.5f, 0.999f); // moved toward "bovid", "ruminant", not replaced
    }

    [Fact]
    public void For_NoHypernyms_AreTheLabelsOwnVectors()
    {
        var vectors = new LabelVectors(new Lazy<ITextEncoder>(new CountingEncoder()));

        var targets = new LabelTargets(vectors, WordNet).For(["sheep"], 0, CancellationToken.None);

        Assert.Equal(vectors.Get(["sheep"])[0], targets["sheep"]);
    }
}
