using Bunit;
using DeviseWeb.Components.Pages.ImageDetail;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Web.Components;

[Collection(TrainedEngineCollection.Name)]
public sealed class ImageDetailPageTests(TrainedEngineFixture fixture) : BunitTestBase
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public void Render_KnownImage_ShowsOriginalLabelKeywordsAndSimilarImagesButNotItself()
    {
        AddDeviseServices(fixture.Engine);
        var image = fixture.ImagesOf("horse")[0];

        var cut = Context.Render<ImageDetailPage>(p => p.Add(x => x.Id, image.Id));

        Assert.Equal($"api/images/{image.Id}/file", cut.Find("[data-testid=original-image]").GetAttribute("src"));
        Assert.Equal("horse", cut.Find("h1").TextContent.Trim());
        cut.WaitForAssertion(() =>
        {
            var keywords = cut.FindAll("[data-testid=keyword]");
            Assert.Equal(12, keywords.Count);
            Assert.All(keywords, k => Assert.Matches(@"-?\d\.\d{3}$", k.TextContent.Trim()));
            var similar = cut.FindAll("[data-testid=result]");
            Assert.Equal(12, similar.Count);
            Assert.DoesNotContain(similar, card => card.GetAttribute("data-image-id") == image.Id.ToString());
        }, Wait);
        Assert.Equal($"/search?img={image.Id}&k=24", cut.FindAll("a").Single(a => a.TextContent.Contains("Search with this")).GetAttribute("href"));
    }

    [Fact]
    public void Render_UnknownId_ShowsAFriendlyNotFound()
    {
        AddDeviseServices(fixture.Engine);

        var cut = Context.Render<ImageDetailPage>(p => p.Add(x => x.Id, 987654));

        Assert.Contains("Image 987654 not found", cut.Find("[data-testid=image-not-found]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=keywords]"));
    }
}
