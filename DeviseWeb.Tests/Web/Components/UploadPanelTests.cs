using Bunit;
using DeviseWeb.Components.Pages.Gallery;
using DeviseWeb.Engine;
using DeviseWeb.Tests.Infrastructure;
using Microsoft.AspNetCore.Components.Forms;

namespace DeviseWeb.Tests.Web.Components;

[Collection(TrainedEngineCollection.Name)]
public sealed class UploadPanelTests(TrainedEngineFixture fixture) : BunitTestBase
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public void UploadFiles_NotAnImage_ListsTheFileWithTheRejectionReason()
    {
        AddDeviseServices(fixture.Engine);
        int before = fixture.Engine.GetStatus().ImageCount;
        var cut = Context.Render<UploadPanel>();

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("just some notes", "notes.txt"));

        cut.WaitForAssertion(() =>
        {
            var row = Assert.Single(cut.FindAll("[data-testid=upload-status]"));
            Assert.Equal("rejected", row.GetAttribute("data-outcome"));
            Assert.Contains("notes.txt", row.TextContent);
            Assert.Contains("Rejected: not a supported image", row.TextContent);
        }, Wait);
        Assert.Equal(before, fixture.Engine.GetStatus().ImageCount);
    }

    [Fact]
    public void UploadFiles_ManyAtOnce_GivesEachFileItsOwnRowAndOutcome()
    {
        AddDeviseServices(fixture.Engine);
        var known = File.ReadAllBytes(fixture.DatasetFile("whale"));
        var cut = Context.Render<UploadPanel>();

        cut.FindComponent<InputFile>().UploadFiles(
            InputFileContent.CreateFromBinary(known, "whale-again.png"),
            InputFileContent.CreateFromBinary([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], "truncated.jpg"),
            InputFileContent.CreateFromBinary([], "empty.png"));

        cut.WaitForAssertion(() =>
        {
            var rows = cut.FindAll("[data-testid=upload-status]");
            Assert.Equal(3, rows.Count);
            var byName = rows.ToDictionary(r => r.QuerySelector(".devise-upload-name")!.TextContent, r => r);
            Assert.Equal("duplicate", byName["whale-again.png"].GetAttribute("data-outcome"));
            Assert.Equal("rejected", byName["truncated.jpg"].GetAttribute("data-outcome"));
            Assert.Contains("empty file", byName["empty.png"].TextContent);
            Assert.Contains("0 added · 1 already in the gallery · 2 rejected", cut.Markup);
        }, Wait);
    }

    [Fact]
    public void UploadFiles_LargerThanTheLimit_IsRejectedBeforeReading()
    {
        using var engine = new DeviseEngine(new EngineOptions { DataDirectory = TestData.NewTemporaryDirectory("upload-limit"), MaxFileBytes = 1024 });
        AddDeviseServices(engine);
        var cut = Context.Render<UploadPanel>();

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(new byte[4096], "huge.png"));

        cut.WaitForAssertion(() =>
            Assert.Contains("huge.png", Assert.Single(cut.FindAll("[data-testid=upload-status]")).TextContent), Wait);
        Assert.Contains("larger than the 1 KB limit (4 KB)", cut.Find("[data-testid=upload-status]").TextContent);
    }
}
