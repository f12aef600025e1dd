using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Text;

namespace DeviseWeb.Tests.Search;

/// <summary>Category words that are no label move toward the trained labels under them; labels and other words stay as they are.</summary>
public sealed class HypernymExpansionTests
{
    private static readonly WordNetHypernyms WordNet = WordNetHypernyms.Open("/usr/share/wordnet/index.noun")
        ?? throw new InvalidOperationException("WordNet missing: scripts/install-deps.sh installs wordnet-base.");

    /// <summary>One axis per trained label, so a mix is readable: sheep, goat, hammer.</summary>
    private static float[][] Axes(IReadOnlyList<string> labels, CancellationToken cancellationToken) =>
        labels.Select(l => l switch { "goat" => new float[] { 0, 1, 0, 0 }, "hammer" => [0, 0, 1, 0], _ => [1, 0, 0, 0] }).ToArray();

    private static readonly HypernymExpansion Expansion = HypernymExpansion.Build(["sheep", "goat", "hammer"], ["sheep", "goat", "hammer", "bovid"], WordNet, Axes);

    private static readonly float[] Query = [0, 0, 0, 1];

    [Fact]
    public void Expand_AWordAboveTrainedLabels_MixesInTheirMeanHalfAndHalf()
    {
        // "ruminant" is two levels above sheep and goat (WordNetHypernymsTests), never above hammer.
        var moved = Expansion.Expand("Ruminant", Query);

        float half = HypernymExpansion.Keep, labels = (1 - HypernymExpansion.Keep) / MathF.Sqrt(2);
        float norm = MathF.Sqrt(half * half + 2 * labels * labels);
        Assert.Equal([labels / norm, labels / norm, 0, half / norm], moved, (a, b) => MathF.Abs(a - b) < 1e-5f);
    }

    [Theory]
    [InlineData("sheep")]        // a label: searched as it is
    [InlineData("bovid")]        // a label too, though it is also a hypernym of sheep and goat
    [InlineData("qwertyuiop")]   // no label under it
    [InlineData("tool\u0000")]   // no label could be written so
    public void Expand_ALabelOrAWordWithNothingUnderIt_IsTheQueryAsItIs(string phrase)
    {
        Assert.Equal(Query, Expansion.Expand(phrase, Query));
    }

    [Fact]
    public void Build_WithoutWordNet_ExpandsNothing()
    {
        var none = HypernymExpansion.Build(["sheep"], ["sheep"], null, Axes);

        Assert.Equal(0, none.Count);
        Assert.Equal(Query, none.Expand("ruminant", Query));
    }
}
