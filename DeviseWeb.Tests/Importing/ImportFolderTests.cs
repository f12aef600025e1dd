using DeviseWeb.Engine;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Importing;

public sealed class ImportFolderTests : IDisposable
{
    private readonly DeviseEngine _engine = new(new EngineOptions { DataDirectory = TestData.NewTemporaryDirectory("import") });

    [Fact]
    public async Task ImportFolder_WithBadFiles_SkipsEachWithItsReasonAndKeepsTheRest()
    {
        var dataset = TestData.CopySubset(["cat", "dog"]);
        int good = Directory.GetFiles(dataset, "*", SearchOption.AllDirectories).Length;
        var cat = Path.Combine(dataset, "cat");
        File.WriteAllBytes(Path.Combine(cat, "empty.png"), []);
        File.WriteAllText(Path.Combine(cat, "readme.txt"), "not an image");
        var real = File.ReadAllBytes(Directory.GetFiles(cat).Order().First(f => f.EndsWith(".png") && new FileInfo(f).Length > 0));
        File.WriteAllBytes(Path.Combine(cat, "truncated.png"), real[..(real.Length / 2)]);
        File.WriteAllBytes(Path.Combine(cat, "copy-of-first.png"), real);

        var summary = await _engine.ImportFolderAsync(dataset);

        Assert.Equal(good, summary.Added);
        Assert.Equal(1, summary.Duplicates);
        Assert.Equal(3, summary.Rejected);
        Assert.Contains(summary.Rejections, r => r.FileName == "empty.png" && r.Reason!.Contains("empty"));
        Assert.Contains(summary.Rejections, r => r.FileName == "readme.txt" && r.Reason!.Contains("not a supported image"));
        Assert.Contains(summary.Rejections, r => r.FileName == "truncated.png" && r.Reason!.Contains("truncated"));
        Assert.Equal(good, _engine.GetStatus().ImageCount);
        var storedFiles = Directory.GetFiles(Path.Combine(_engine.Options.DataDirectory, "images"), "*", SearchOption.AllDirectories);
        Assert.Equal(good, storedFiles.Length);
    }

    [Fact]
    public async Task ImportFolder_Twice_AddsNothingTheSecondTime()
    {
        var dataset = TestData.CopySubset(["moon"]);
        var first = await _engine.ImportFolderAsync(dataset);

        var second = await _engine.ImportFolderAsync(dataset);

        Assert.True(first.Added > 0);
        Assert.Equal(0, second.Added);
        Assert.Equal(first.Added, second.Duplicates);
    }

    [Fact]
    public async Task ImportStream_Upload_KeepsTheLabelAndAThumbnail()
    {
        await using var stream = File.OpenRead(TestData.DemoImage("bear", "stamp-bear.png"));

        var result = await _engine.ImportStreamAsync(stream, "../../etc/evil name.png", "Brown_Bear");

        Assert.Equal(ImportOutcome.Added, result.Outcome);
        Assert.Equal("brown bear", result.Image!.Label);
        Assert.Equal("evil name.png", result.Image.FileName);
        var thumbnail = _engine.GetThumbnail(result.Image.Id)!;
        Assert.Equal(new byte[] { 0xFF, 0xD8 }, thumbnail[..2]);
        Assert.StartsWith(Path.GetFullPath(_engine.Options.DataDirectory), Path.GetFullPath(_engine.GetOriginalPath(result.Image.Id)!));
    }

    [Fact]
    public async Task Train_FewerThanTwoLabels_FailsWithAClearMessage()
    {
        await _engine.ImportFolderAsync(TestData.CopySubset(["moon"]));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _engine.TrainAsync(new TrainingOptions { HeldOutLabelCount = 0 }));

        Assert.Contains("at least 2 labels", error.Message);
    }

    [Fact]
    public async Task ImportFolder_MissingFolder_FailsNamingIt()
    {
        var error = await Assert.ThrowsAsync<DeviseException>(() => _engine.ImportFolderAsync("/nonexistent/folder"));

        Assert.Contains("/nonexistent/folder", error.Message);
    }

    public void Dispose() => _engine.Dispose();
}
