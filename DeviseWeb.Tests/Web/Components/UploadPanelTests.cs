using Bunit;
using DeviseWeb.Components.Pages.Gallery;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Tests.Infrastructure;
using DeviseWeb.Tests.Web.Integration;
using Microsoft.AspNetCore.Components.Forms;

namespace DeviseWeb.Tests.Web.Components;

[Collection(WebAppCollection.Name)]
public sealed class UploadPanelTests(DeviseWebFactory app) : BunitTestBase(app.Services)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public void UploadFiles_NotAnImage_ListsTheFileWithTheRejectionReason()
    {
        int before = Get<GalleryService>().Count;
        var cut = Context.Render<UploadPanel>();

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("just some notes", "notes.txt"));

        cut.WaitForAssertion(() =>
        {
            var row = Assert.Single(cut.FindAll("[data-testid=upload-status]"));
            Assert.Equal("rejected", row.GetAttribute("data-outcome"));
            Assert.Contains("notes.txt", row.TextContent);
            Assert.Contains("Rejected: not a supported image", row.TextContent);
        }, Wait);
        Assert.Equal(before, Get<GalleryService>().Count);
    }

    [Fact]
    public void UploadFiles_ManyAtOnce_GivesEachFileItsOwnRowAndOutcome()
    {
        // A demo file the template already holds.
        var known = File.ReadAllBytes(Directory.GetFiles(Path.Combine(TestData.DemoDirectory, "fish")).Order(StringComparer.Ordinal).First());
        var cut = Context.Render<UploadPanel>();

        cut.FindComponent<InputFile>().UploadFiles(
            InputFileContent.CreateFromBinary(known, "fish-again.png"),
            InputFileContent.CreateFromBinary([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], "truncated.jpg"),
            InputFileContent.CreateFromBinary([], "empty.png"));

        cut.WaitForAssertion(() =>
        {
            var rows = cut.FindAll("[data-testid=upload-status]");
            Assert.Equal(3, rows.Count);
            var byName = rows.ToDictionary(r => r.QuerySelector(".devise-upload-name")!.TextContent, r => r);
            Assert.Equal("duplicate", byName["fish-again.png"].GetAttribute("data-outcome"));
            Assert.Equal("rejected", byName["truncated.jpg"].GetAttribute("data-outcome"));
            Assert.Contains("empty file", byName["empty.png"].TextContent);
            Assert.Contains("0 added · 1 already in the gallery · 2 rejected", cut.Markup);
        }, Wait);
    }

    [Fact]
    public void UploadFiles_WithALabelThatBreaksTheRule_ShowsTheEnginesReason()
    {
        int before = Get<GalleryService>().Count;
        var cut = Context.Render<UploadPanel>();

        cut.Find("input#upload-label").Input("fish, chips");
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(File.ReadAllBytes(WebTestData.NewImagePath(1)), "rabbit.png"));

        cut.WaitForAssertion(() =>
        {
            var row = Assert.Single(cut.FindAll("[data-testid=upload-status]"));
            Assert.Equal("rejected", row.GetAttribute("data-outcome"));
            Assert.Contains("contains a comma", row.TextContent);
        }, Wait);
        Assert.Equal(before, Get<GalleryService>().Count);
    }

    [Fact]
    public async Task UploadFiles_LargerThanTheLimit_IsRejectedBeforeReading()
    {
        await using var small = await EngineHost.StartEmptyAsync(o => o.MaxFileBytes = 1024);
        UseServicesOf(small.Services);
        var cut = Context.Render<UploadPanel>();

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(new byte[4096], "huge.png"));

        cut.WaitForAssertion(() =>
            Assert.Contains("huge.png", Assert.Single(cut.FindAll("[data-testid=upload-status]")).TextContent), Wait);
        Assert.Contains("larger than the 1 KB limit (4 KB)", cut.Find("[data-testid=upload-status]").TextContent);
    }
}
