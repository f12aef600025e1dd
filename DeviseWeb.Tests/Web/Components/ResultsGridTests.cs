using Bunit;
using DeviseWeb.Components.Shared;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Tests.Web.Components;

public sealed class ResultsGridTests : BunitTestBase
{
    private static SearchHit Hit(int id, string label, float score) =>
        new(new ImageInfo(id, label, $"{label}.png", 64, 64, 1000, DateTime.UtcNow, SplitKind.Train), score);

    [Fact]
    public void Render_WithHits_RendersOneCardPerHitWithItsScore()
    {
        IReadOnlyList<SearchHit> hits = [Hit(7, "boat", 0.8371f), Hit(3, "sailboat", 0.5f), Hit(12, "ship", -0.0421f)];

        var cut = Context.Render<ResultsGrid>(p => p.Add(x => x.Hits, hits));

        var cards = cut.FindAll("[data-testid=result]");
        Assert.Equal(["7", "3", "12"], cards.Select(c => c.GetAttribute("data-image-id")));
        Assert.Equal(["0.837", "0.500", "-0.042"], cut.FindAll("[data-testid=score]").Select(s => s.TextContent));
        Assert.Equal("image/7", cards[0].GetAttribute("href"));
        Assert.Equal("api/images/7/thumbnail", cards[0].QuerySelector("img")!.GetAttribute("src"));
    }

    [Fact]
    public void Render_NoHits_ShowsTheEmptyText()
    {
        var cut = Context.Render<ResultsGrid>(p => p.Add(x => x.EmptyText, "Nothing here."));

        Assert.Empty(cut.FindAll("[data-testid=result]"));
        Assert.Contains("Nothing here.", cut.Markup);
    }
}
