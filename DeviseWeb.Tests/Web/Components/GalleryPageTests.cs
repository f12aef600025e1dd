using Bunit;
using DeviseWeb.Components.Pages.Gallery;
using DeviseWeb.Services;
using DeviseWeb.Tests.Infrastructure;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Components;

[Collection(TrainedEngineCollection.Name)]
public sealed class GalleryPageTests(TrainedEngineFixture fixture) : BunitTestBase
{
    private NavigationManager Navigation => Context.Services.GetRequiredService<NavigationManager>();

    private IRenderedComponent<GalleryPage> RenderAt(string relativeUrl)
    {
        AddDeviseServices(fixture.Engine);
        Navigation.NavigateTo(relativeUrl);
        return Context.Render<GalleryPage>();
    }

    [Fact]
    public void Render_FirstPage_ShowsAPageOfThumbnailsWithTheTotal()
    {
        var cut = RenderAt("/");

        int total = fixture.Engine.GetStatus().ImageCount;
        var cards = cut.FindAll("[data-testid=gallery-image]");
        Assert.Equal(Math.Min(48, total), cards.Count);
        Assert.All(cards, c => Assert.Matches(@"^api/images/\d+/thumbnail$", c.QuerySelector("img")!.GetAttribute("src")));
        Assert.StartsWith($"{total:N0} images", cut.Find("[data-testid=gallery-count]").TextContent);
    }

    [Fact]
    public void Render_LabelAndSplitFilters_ShowOnlyMatchingImages()
    {
        var heldOut = fixture.Engine.GetDatasetSummary().HeldOutLabels[0];

        var cut = RenderAt($"/?label={heldOut}&split=HeldOut");

        var expected = fixture.ImagesOf(heldOut).Select(i => i.Id.ToString()).ToList();
        Assert.Equal(expected, cut.FindAll("[data-testid=gallery-image]").Select(c => c.GetAttribute("data-image-id")));
        Assert.All(cut.FindAll("[data-testid=gallery-image] .devise-split"), chip => Assert.Equal("Held out", chip.TextContent));
    }

    [Fact]
    public void SearchBox_Submit_NavigatesToTheSearchPageWithTheWords()
    {
        var cut = RenderAt("/");

        cut.Find("input#gallery-search").Input("red apple, tree");
        cut.Find("form[role=search]").Submit();

        Assert.EndsWith("/search?q=red%20apple&q=tree&k=24", Navigation.Uri);
    }

    [Fact]
    public void ImportBanner_WhileFirstStartImports_ShowsProgress()
    {
        var cut = RenderAt("/");

        Context.Services.GetRequiredService<FirstStartState>().Report(new FirstStartStatus(FirstStartStage.Importing, 120, 800, "boat.png"));

        cut.WaitForAssertion(() => Assert.Contains("120 / 800", cut.Find("[data-testid=import-banner]").TextContent));
    }
}
