using Bunit;
using DeviseWeb.Components.Pages.Gallery;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Training;
using DeviseWeb.Services;
using DeviseWeb.Tests.Web.Integration;
using Microsoft.AspNetCore.Components;

namespace DeviseWeb.Tests.Web.Components;

[Collection(WebAppCollection.Name)]
public sealed class GalleryPageTests(DeviseWebFactory app) : BunitTestBase(app.Services)
{
    private NavigationManager Navigation => Get<NavigationManager>();

    private IRenderedComponent<GalleryPage> RenderAt(string relativeUrl)
    {
        Navigation.NavigateTo(relativeUrl);
        return Context.Render<GalleryPage>();
    }

    [Fact]
    public void Render_FirstPage_ShowsAPageOfThumbnailsWithTheTotal()
    {
        var cut = RenderAt("/");

        int total = Get<GalleryService>().Count;
        var cards = cut.FindAll("[data-testid=gallery-image]");
        Assert.Equal(Math.Min(48, total), cards.Count);
        Assert.All(cards, c => Assert.Matches(@"^api/images/\d+/thumbnail$", c.QuerySelector("img")!.GetAttribute("src")));
        Assert.StartsWith($"{total:N0} images", cut.Find("[data-testid=gallery-count]").TextContent);
    }

    [Fact]
    public void Render_LabelAndSplitFilters_ShowOnlyMatchingImages()
    {
        var cut = RenderAt("/?label=dog&split=Validation");

        var expected = Get<GalleryService>().List(new ImageQuery("dog", SplitKind.Validation)).Items.Select(i => i.Id.ToString()).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, cut.FindAll("[data-testid=gallery-image]").Select(c => c.GetAttribute("data-image-id")));
        Assert.All(cut.FindAll("[data-testid=gallery-image] .devise-split"), chip => Assert.Equal("Validation", chip.TextContent));
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
    public void ImportBanner_WhileAnImportJobRuns_ShowsItsProgress()
    {
        var cut = RenderAt("/");
        var notifier = Get<JobNotifier>();
        var job = new JobInfo("import1", JobKind.Import, JobState.Running, "Import data/demo",
            new JobRequest { Kind = JobKind.Import, Import = new ImportJobOptions("data/demo") },
            DateTime.UtcNow, DateTime.UtcNow, null, null, null, [], [], null, null);

        notifier.Publish(new JobEvent(job.Id, JobKind.Import, JobEventType.Started, DateTime.UtcNow, Job: job));
        notifier.Publish(new JobEvent(job.Id, JobKind.Import, JobEventType.Progress, DateTime.UtcNow, new JobProgress(0.15, 120, 800)));

        cut.WaitForAssertion(() => Assert.Contains("120 / 800", cut.Find("[data-testid=import-banner]").TextContent));
    }

    [Fact]
    public void Select_Clicked_TurnsTheCardsIntoCheckboxesAndShowsTheBar()
    {
        var cut = RenderAt("/?label=penguin");
        int cards = cut.FindAll("[data-testid=gallery-image]").Count;

        cut.FindAll("button").Single(b => b.TextContent.Trim() == "Select").Click();
        cut.FindAll("button").Single(b => b.TextContent.Trim() == "Select all on page").Click();

        var boxes = cut.FindAll("[data-testid=gallery-image] input[type=checkbox]");
        Assert.Equal(cards, boxes.Count);
        Assert.All(boxes, b => Assert.StartsWith("Select penguin (image ", b.GetAttribute("aria-label")));
        Assert.All(boxes, b => Assert.True(b.HasAttribute("checked")));
        Assert.Equal($"{cards} selected", cut.Find("[data-testid=selection-count]").TextContent.Trim());
        Assert.Empty(cut.FindAll("a.devise-card"));
    }
}
