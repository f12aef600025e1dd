using DeviseWeb.Engine.Text;

namespace DeviseWeb.Tests.Text;

public sealed class WordNetHypernymsTests
{
    private static readonly WordNetHypernyms WordNet = WordNetHypernyms.Open("/usr/share/wordnet/index.noun")
        ?? throw new InvalidOperationException("WordNet missing: scripts/install-deps.sh installs wordnet-base.");

    [Fact]
    public void Of_Sheep_ClimbsTheFirstSenseNearestFirst()
    {
        var broader = WordNet.Of("sheep", depth: 3);

        Assert.Equal(["bovid", "ruminant", "even-toed ungulate"], broader);
    }

    [Fact]
    public void Of_CompoundLabel_UsesWordNetsUnderscoreLemma()
    {
        var broader = WordNet.Of("polar bear", depth: 1);

        Assert.Equal(["bear"], broader);
    }

    [Fact]
    public void Of_UnknownWord_IsEmpty() => Assert.Empty(WordNet.Of("qwertyuiop", depth: 3));

    [Fact]
    public void Open_MissingIndex_IsNull() => Assert.Null(WordNetHypernyms.Open("/nonexistent/index.noun"));
}
