using Bunit;
using DeviseWeb.Components.Pages.Search;
using DeviseWeb.Engine;
using DeviseWeb.Tests.Infrastructure;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Components;

[Collection(TrainedEngineCollection.Name)]
public sealed class SearchPageTests(TrainedEngineFixture fixture) : BunitTestBase
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private IRenderedComponent<SearchPage> RenderAt(string relativeUrl, DeviseEngine? engine = null)
    {
        AddDeviseServices(engine ?? fixture.Engine);
        Context.Services.GetRequiredService<NavigationManager>().NavigateTo(relativeUrl);
        return Context.Render<SearchPage>();
    }

    private NavigationManager Navigation => Context.Services.GetRequiredService<NavigationManager>();

    [Fact]
    public void Render_TextQuery_ShowsScoredResultsAndPinsTheModelInTheUrl()
    {
        var cut = RenderAt("/search?q=boat&k=5&min=0.1");

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=result]")), Wait);
        var scores = cut.FindAll("[data-testid=score]").Select(s => float.Parse(s.TextContent, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.InRange(scores.Count, 1, 5);
        Assert.All(scores, score => Assert.True(score >= 0.1f));
        Assert.Equal(scores.OrderDescending(), scores);
        int modelId = fixture.Engine.ActiveModel!.Record.Id;
        Assert.EndsWith($"/search?q=boat&k=5&min=0.1&model={modelId}", Navigation.Uri);
    }

    [Fact]
    public void CopyLink_AfterASearch_SharesTheAbsoluteUrlWithQueryKMinAndModel()
    {
        var cut = RenderAt("/search?q=boat,sea&k=7&min=-0.5");

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=result]")), Wait);
        var copy = cut.Find("[data-testid=copy-link]");
        int modelId = fixture.Engine.ActiveModel!.Record.Id;
        Assert.Equal($"{Navigation.BaseUri}search?q=boat&q=sea&k=7&min=-0.5&model={modelId}", copy.GetAttribute("data-share-url"));
        Assert.Equal("Copy link", copy.TextContent.Trim());
    }

    [Fact]
    public void Render_GalleryImage_LeavesTheImageOutOfItsOwnResults()
    {
        int id = fixture.ImagesOf("whale")[0].Id;

        var cut = RenderAt($"/search?img={id}&k=6");

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=result]")), Wait);
        Assert.DoesNotContain(cut.FindAll("[data-testid=result]"), card => card.GetAttribute("data-image-id") == id.ToString());
        Assert.Contains($"image #{id}", cut.Find("[data-testid=results-summary]").TextContent);
    }

    [Fact]
    public void Render_MalformedK_NamesTheParameterAndDoesNotSearch()
    {
        var cut = RenderAt("/search?q=boat&k=lots");

        Assert.Contains("k: 'lots' must be a whole number", cut.Find("[data-testid=search-error]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=result]"));
    }

    [Fact]
    public void Render_UnknownModelVersion_ExplainsInsteadOfFailing()
    {
        var cut = RenderAt("/search?q=boat&model=999");

        cut.WaitForAssertion(() => Assert.Contains("No model version 999", cut.Find("[data-testid=search-error]").TextContent), Wait);
    }

    [Fact]
    public void Render_BeforeAnyModel_LinksToTraining()
    {
        using var empty = new DeviseEngine(new EngineOptions { DataDirectory = TestData.NewTemporaryDirectory("no-model") });

        var cut = RenderAt("/search?q=boat", empty);

        var notice = cut.Find("[data-testid=no-model]");
        Assert.Contains("No model has been trained yet", notice.TextContent);
        Assert.Equal("training", notice.QuerySelector("a")!.GetAttribute("href"));
    }
}
