using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Deployment;

/// <summary>What scripts/build-demo-data.sh writes for its photographs: labelled, decodable, credited, the evaluation set and its everyday words.</summary>
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
    public void Build_EvaluationList_NamesTheScenesAndEveryThirdGComprisLabelAndImportsCleanly()
    {
        // Every third GCompris label in alphabetical order, all its photographs; the Tux Paint scenes; no photo cut-out.
        var labelOf = File.ReadLines(Path.Combine(TestData.DemoDirectory, "labels.tsv")).Skip(1).Select(line => line.Split('\t'))
            .ToDictionary(row => row[0], row => row[1]);
        string FolderOf(string file) => Path.GetFileName(Path.GetDirectoryName(file))!;
        var gcomprisLabels = GComprisPhotos.Select(f => labelOf[FolderOf(f)]).Distinct().Order(StringComparer.Ordinal).ToList();
        var held = gcomprisLabels.Where((_, i) => i % 3 == 0).ToHashSet();
        var scenes = Directory.GetFiles(TestData.DemoDirectory, "scene-*", SearchOption.AllDirectories);
        var expected = GComprisPhotos.Where(f => held.Contains(labelOf[FolderOf(f)])).Concat(scenes)
            .Select(f => Path.GetRelativePath(TestData.DemoDirectory, f)).ToHashSet();

        var listed = DatasetFolder.List(TestData.DemoDirectory).Where(f => f.Evaluation).Select(f => Path.GetRelativePath(TestData.DemoDirectory, f.Path)).ToHashSet();

        Assert.Equal(expected.Order(), TestData.DemoEvaluationImages().Order());
        Assert.Equal(expected.Order(), listed.Order());
        Assert.InRange(held.Count, 30, 40);
        Assert.InRange(expected.Count, 100, 150);
        Assert.DoesNotContain(listed, f => Path.GetFileName(f).StartsWith("photo-", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_EverydayWords_AreNoLabelAndNameOnlyLabelsOfEvaluationImages()
    {
        var labels = File.ReadLines(Path.Combine(TestData.DemoDirectory, "labels.tsv")).Skip(1).Select(line => line.Split('\t'))
            .ToDictionary(row => row[0], row => row[1]);
        var evaluationLabels = TestData.DemoEvaluationImages().Select(entry => labels[entry.Split('/')[0]]).ToHashSet();

        var words = EverydayWords.Read(Path.Combine(TestData.DemoDirectory, EverydayWords.FileName));

        Assert.InRange(words.Count, 20, 60);
        Assert.All(words, word =>
        {
            Assert.DoesNotContain(word.Word, labels.Values);
            Assert.All(word.Labels, label => Assert.Contains(label, evaluationLabels));
        });
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
