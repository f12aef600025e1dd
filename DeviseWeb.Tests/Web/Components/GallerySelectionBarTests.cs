using Bunit;
using DeviseWeb.Components.Pages.Gallery;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Search;
using DeviseWeb.Tests.Web.Integration;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace DeviseWeb.Tests.Web.Components;

/// <summary>The gallery's selection mode on a real gallery of its own: delete and relabel many images, rename a label.</summary>
[Collection(EditableWebAppCollection.Name)]
public sealed class GallerySelectionBarTests(DeviseWebFactory app) : BunitTestBase(app.Services)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private IRenderedComponent<MudDialogProvider> _dialogs = null!;

    private GalleryService Gallery => Get<GalleryService>();

    private IRenderedComponent<GalleryPage> RenderAt(string relativeUrl)
    {
        _dialogs = RenderDialogProvider();
        Get<NavigationManager>().NavigateTo(relativeUrl);
        return Context.Render<GalleryPage>();
    }

    /// <summary>Enters selection mode and ticks the first cards; returns their image ids.</summary>
    private static List<int> SelectFirst(IRenderedComponent<GalleryPage> cut, int count)
    {
        ClickButton(cut, "Select");
        var ids = cut.FindAll("[data-testid=gallery-image]").Take(count).Select(c => int.Parse(c.GetAttribute("data-image-id")!)).ToList();
        foreach (var id in ids) cut.Find($"[data-image-id='{id}'] input[type=checkbox]").Change(true);
        return ids;
    }

    private IReadOnlyList<string> Snackbars => Get<ISnackbar>().ShownSnackbars.Select(s => s.Message ?? "").ToList();

    [Fact]
    public async Task Delete_TwoSelectedAndConfirmed_TheyLeaveTheGridTheGalleryAndSearch()
    {
        var cut = RenderAt("/?label=moon");
        int before = Gallery.Count;
        var ids = SelectFirst(cut, 2);
        Assert.Equal("2 selected", cut.Find("[data-testid=selection-count]").TextContent.Trim());

        ClickButton(cut, "Delete");
        ClickButton(_dialogs, "Delete");

        cut.WaitForAssertion(() => Assert.DoesNotContain(cut.FindAll("[data-testid=gallery-image]"),
            c => ids.Contains(int.Parse(c.GetAttribute("data-image-id")!))), Wait);
        Assert.Equal(before - 2, Gallery.Count);
        Assert.All(ids, id => Assert.Null(Gallery.Find(id)));
        var hits = (await Get<SearchService>().SearchTextAsync("moon", k: 100)).Hits.Select(h => h.Image.Id);
        Assert.Empty(hits.Intersect(ids));
        Assert.Contains("Deleted 2 images.", Snackbars);
        Assert.Equal("0 selected", cut.Find("[data-testid=selection-count]").TextContent.Trim());
    }

    [Fact]
    public void Delete_Cancelled_KeepsTheImages()
    {
        var cut = RenderAt("/?label=moon");
        int before = Gallery.Count;
        var ids = SelectFirst(cut, 1);

        ClickButton(cut, "Delete");
        ClickButton(_dialogs, "Cancel");

        cut.WaitForAssertion(() => Assert.Empty(_dialogs.FindAll("button")), Wait);
        Assert.Equal(before, Gallery.Count);
        Assert.NotNull(Gallery.Find(ids[0]));
        Assert.Equal("1 selected", cut.Find("[data-testid=selection-count]").TextContent.Trim());
    }

    [Fact]
    public void ChangeLabel_TwoSelected_TheyCarryTheNewLabelAndLeaveTheOldFilter()
    {
        var cut = RenderAt("/?label=clock");
        var ids = SelectFirst(cut, 2);

        ClickButton(cut, "Change label");
        _dialogs.WaitForElement("input#label-dialog-field").Input("Alarm  Clock");
        ClickButton(_dialogs, "Save");

        cut.WaitForAssertion(() => Assert.Contains("2 images are now labelled 'alarm clock'.", Snackbars), Wait);
        Assert.All(ids, id => Assert.Equal("alarm clock", Gallery.Get(id).Label));
        Assert.DoesNotContain(cut.FindAll("[data-testid=gallery-image]"), c => ids.Contains(int.Parse(c.GetAttribute("data-image-id")!)));
        Assert.Equal(ids.Order(), Gallery.List(new ImageQuery("alarm clock")).Items.Select(i => i.Id).Order());
    }

    [Fact]
    public void ChangeLabel_LabelWithAComma_ShowsTheEnginesReasonAndKeepsTheSelection()
    {
        var cut = RenderAt("/?label=fish");
        var ids = SelectFirst(cut, 1);

        ClickButton(cut, "Change label");
        _dialogs.WaitForElement("input#label-dialog-field").Input("fish, chips");
        ClickButton(_dialogs, "Save");

        cut.WaitForAssertion(() => Assert.Contains(Snackbars, m => m.Contains("contains a comma", StringComparison.Ordinal)), Wait);
        Assert.Equal("fish", Gallery.Get(ids[0]).Label);
        Assert.Equal("1 selected", cut.Find("[data-testid=selection-count]").TextContent.Trim());
    }

    [Fact]
    public void RenameLabel_FromTheFilter_MovesEveryImageAndFollowsThem()
    {
        var cut = RenderAt("/?label=tree");
        var trees = Gallery.List(new ImageQuery("tree")).Items.Select(i => i.Id).ToList();

        ClickButton(cut, "Rename label");
        _dialogs.WaitForElement("input#label-dialog-field").Input("oak tree");
        ClickButton(_dialogs, "Rename");

        cut.WaitForAssertion(() => Assert.EndsWith("/?label=oak%20tree", Get<NavigationManager>().Uri), Wait);
        Assert.Equal(0, Gallery.List(new ImageQuery("tree")).Total);
        Assert.Equal(trees.Order(), Gallery.List(new ImageQuery("oak tree")).Items.Select(i => i.Id).Order());
        Assert.Contains($"Moved {trees.Count} images from 'tree' to 'oak tree'.", Snackbars);
    }
}
