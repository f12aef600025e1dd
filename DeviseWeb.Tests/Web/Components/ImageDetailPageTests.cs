using Bunit;
using DeviseWeb.Components.Pages.ImageDetail;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Tests.Web.Integration;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace DeviseWeb.Tests.Web.Components;

/// <summary>The image page on a gallery of its own, since two tests change it (penguin images only).</summary>
[Collection(EditableWebAppCollection.Name)]
public sealed class ImageDetailPageTests(DeviseWebFactory app) : BunitTestBase(app.Services)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private GalleryService Gallery => Get<GalleryService>();

    private IRenderedComponent<ImageDetailPage> RenderImage(int id)
    {
        return Context.Render<ImageDetailPage>(p => p.Add(x => x.Id, id));
    }

    [Fact]
    public void Render_KnownImage_ShowsOriginalLabelKeywordsAndSimilarImagesButNotItself()
    {
        var image = Gallery.List(new ImageQuery("penguin")).Items[0];

        var cut = RenderImage(image.Id);

        Assert.Equal($"api/images/{image.Id}/file", cut.Find("[data-testid=original-image]").GetAttribute("src"));
        Assert.Equal("penguin", cut.Find("h1").TextContent.Trim());
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
        var cut = RenderImage(987654);

        Assert.Contains("Image 987654 not found", cut.Find("[data-testid=image-not-found]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=keywords]"));
    }

    [Fact]
    public void ChangeLabel_NewLabel_ShowsItAndTheGalleryHasIt()
    {
        var dialogs = RenderDialogProvider();
        var image = Gallery.List(new ImageQuery("penguin")).Items[0];
        var cut = RenderImage(image.Id);

        ClickButton(cut, "Change label");
        dialogs.WaitForElement("input#label-dialog-field").Input("emperor penguin");
        ClickButton(dialogs, "Save");

        cut.WaitForAssertion(() => Assert.Equal("emperor penguin", cut.Find("h1").TextContent.Trim()), Wait);
        Assert.Equal("emperor penguin", Gallery.Get(image.Id).Label);
        Assert.Contains($"Image #{image.Id} is now labelled 'emperor penguin'.", Get<ISnackbar>().ShownSnackbars.Select(s => s.Message));
    }

    [Fact]
    public void Delete_Confirmed_RemovesTheImageAndGoesBackToItsLabel()
    {
        var dialogs = RenderDialogProvider();
        var image = Gallery.List(new ImageQuery("penguin")).Items[^1];
        var cut = RenderImage(image.Id);

        ClickButton(cut, "Delete");
        ClickButton(dialogs, "Delete");

        cut.WaitForAssertion(() => Assert.EndsWith("/?label=penguin", Get<NavigationManager>().Uri), Wait);
        Assert.Null(Gallery.Find(image.Id));
        Assert.Contains($"Deleted image #{image.Id}.", Get<ISnackbar>().ShownSnackbars.Select(s => s.Message));
    }
}
