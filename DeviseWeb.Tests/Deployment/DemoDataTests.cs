using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Deployment;

/// <summary>What scripts/build-demo-data.sh writes for its GCompris photographs: labelled, decodable, credited.</summary>
public sealed class DemoDataTests
{
    private static readonly string[] GComprisPhotos =
        Directory.GetFiles(TestData.RequireDemo(), "gcompris-*.webp", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Build_GComprisPhotographs_EachInALabelFolderThatLabelsTsvCounts()
    {
        var counts = File.ReadLines(Path.Combine(TestData.DemoDirectory, "labels.tsv")).Skip(1)
            .Select(line => line.Split('\t'))
            .ToDictionary(row => row[0], row => row[3].Split(',').Select(s => s.Split(':')).Where(kv => kv[0] == "gcompris").Sum(kv => int.Parse(kv[1])));
        var byFolder = GComprisPhotos.GroupBy(f => Path.GetFileName(Path.GetDirectoryName(f))!).ToDictionary(g => g.Key, g => g.Count());

        Assert.InRange(GComprisPhotos.Length, 100, 400);
        Assert.Equal(byFolder.OrderBy(kv => kv.Key), counts.Where(kv => kv.Value > 0).OrderBy(kv => kv.Key));
        Assert.Equal(7, byFolder["pyramid"]); // the Giza and Dahshur pyramids and Chichen Itza share one label, the demo's own
    }

    [Fact]
    public void Build_GComprisPhotographs_AreTrainingImagesNotEvaluationOnly()
    {
        var evaluation = TestData.DemoEvaluationImages();

        Assert.DoesNotContain(GComprisPhotos, f => evaluation.Contains($"{Path.GetFileName(Path.GetDirectoryName(f))}/{Path.GetFileName(f)}"));
    }

    [Fact]
    public void Build_EvaluationList_NamesExactlyThePhotoCutOutsAndScenePhotographsAndImportsCleanly()
    {
        // The set the demo's file names marked before the list existed: Tux Paint's photo cut-outs and scene photographs.
        var photos = Directory.GetFiles(TestData.DemoDirectory, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f).StartsWith("photo-", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith("scene-", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(TestData.DemoDirectory, f)).ToHashSet();

        var listed = DatasetFolder.List(TestData.DemoDirectory).Where(f => f.Evaluation).Select(f => Path.GetRelativePath(TestData.DemoDirectory, f.Path)).ToHashSet();

        Assert.Equal(photos.Order(), TestData.DemoEvaluationImages().Order());
        Assert.Equal(photos.Order(), listed.Order());
        Assert.InRange(photos.Count, 300, 400);
    }

    [Fact]
    public void Build_GComprisPhotographs_DecodeAsWebP()
    {
        var loader = new SafeImageLoader(50L << 20, 40_000_000);

        foreach (var file in GComprisPhotos)
        {
            using var image = loader.Load(file);
            Assert.Equal("webp", image.Format);
            Assert.True(image.Pixels.Width >= 100 && image.Pixels.Height >= 100, $"{file}: {image.Pixels.Width}×{image.Pixels.Height}");
        }
    }

    [Fact]
    public void Build_GComprisSource_ShipsItsCopyrightFileAndTheCreditsOfEveryActivityUsed()
    {
        var demo = TestData.DemoDirectory;
        var credits = File.ReadAllText(Path.Combine(demo, "LICENSE-gcompris-qt-data-credits.txt"));
        var activities = File.ReadLines(Path.Combine(TestData.RepositoryRoot, "scripts", "demo-data", "gcompris.tsv"))
            .Where(line => line.Length > 0 && !line.StartsWith('#')).Select(line => line.Split('\t')[0]).Distinct().ToList();

        Assert.Contains("Files: *", File.ReadAllText(Path.Combine(demo, "LICENSE-gcompris-qt-data.txt")));
        Assert.Contains("`gcompris-*.webp`", File.ReadAllText(Path.Combine(demo, "SOURCES.md")));
        Assert.NotEmpty(activities);
        Assert.All(activities, activity => Assert.Contains($"==== src/activities/{activity}/resource/", credits));
        Assert.Contains("commons.wikimedia.org", credits);
    }
}
