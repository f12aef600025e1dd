using Bunit;
using DeviseWeb.Components.Pages.Search;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Models;
using DeviseWeb.Tests.Infrastructure;
using DeviseWeb.Tests.Web.Integration;
using Microsoft.AspNetCore.Components;

namespace DeviseWeb.Tests.Web.Components;

[Collection(WebAppCollection.Name)]
public sealed class SearchPageTests(DeviseWebFactory app) : BunitTestBase(app.Services)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private NavigationManager Navigation => Get<NavigationManager>();

    private int ActiveModelId => Get<ModelService>().ActiveModelId!.Value;

    private IRenderedComponent<SearchPage> RenderAt(string relativeUrl)
    {
        Navigation.NavigateTo(relativeUrl);
        return Context.Render<SearchPage>();
    }

    [Fact]
    public void Render_TextQuery_ShowsScoredResultsAndPinsTheModelInTheUrl()
    {
        var cut = RenderAt("/search?q=dog&k=5&min=0.1");

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=result]")), Wait);
        var scores = cut.FindAll("[data-testid=score]").Select(s => float.Parse(s.TextContent, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.InRange(scores.Count, 1, 5);
        Assert.All(scores, score => Assert.True(score >= 0.1f));
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.EndsWith($"/search?q=dog&k=5&min=0.1&model={ActiveModelId}", Navigation.Uri);
    }

    [Fact]
    public void CopyLink_AfterASearch_SharesTheAbsoluteUrlWithQueryKMinAndModel()
    {
        var cut = RenderAt("/search?q=fish,sea&k=7&min=-0.5");

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=result]")), Wait);
        var copy = cut.Find("[data-testid=copy-link]");
        Assert.Equal($"{Navigation.BaseUri}search?q=fish&q=sea&k=7&min=-0.5&model={ActiveModelId}", copy.GetAttribute("data-share-url"));
        Assert.Equal("Copy link", copy.TextContent.Trim());
    }

    [Fact]
    public void Render_GalleryImage_LeavesTheImageOutOfItsOwnResults()
    {
        int id = Get<GalleryService>().List(new ImageQuery("penguin")).Items[0].Id;

        var cut = RenderAt($"/search?img={id}&k=6");

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=result]")), Wait);
        Assert.DoesNotContain(cut.FindAll("[data-testid=result]"), card => card.GetAttribute("data-image-id") == id.ToString());
        Assert.Contains($"image #{id}", cut.Find("[data-testid=results-summary]").TextContent);
    }

    [Fact]
    public void Render_MalformedK_NamesTheParameterAndDoesNotSearch()
    {
        var cut = RenderAt("/search?q=dog&k=lots");

        Assert.Contains("k: 'lots' must be a whole number", cut.Find("[data-testid=search-error]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=result]"));
    }

    [Fact]
    public void Render_UnknownModelVersion_ExplainsInsteadOfFailing()
    {
        var cut = RenderAt("/search?q=dog&model=999");

        cut.WaitForAssertion(() => Assert.Contains("No model version 999", cut.Find("[data-testid=search-error]").TextContent), Wait);
    }

    [Fact]
    public async Task Render_BeforeAnyModel_LinksToTraining()
    {
        await using var empty = await EngineHost.StartEmptyAsync();
        UseServicesOf(empty.Services);

        var cut = RenderAt("/search?q=dog");

        var notice = cut.Find("[data-testid=no-model]");
        Assert.Contains("No model has been trained yet", notice.TextContent);
        Assert.Equal("training", notice.QuerySelector("a")!.GetAttribute("href"));
    }
}
