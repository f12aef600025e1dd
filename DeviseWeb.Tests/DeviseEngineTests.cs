using DeviseWeb.Engine;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests;

public sealed class DeviseEngineTests(SmallGalleryFixture gallery) : IClassFixture<SmallGalleryFixture>
{
    private DeviseEngine Engine => gallery.Engine;

    [Fact]
    public void Train_SmallRealSubset_LowersValidationLossAndBeatsChanceOnSeenLabels()
    {
        var history = gallery.Model.History;
        var report = gallery.Model.Evaluation!;

        Assert.True(history[^1].ValidationLoss < history[0].ValidationLoss - 0.05, $"validation loss {history[0].ValidationLoss} → {history[^1].ValidationLoss}");
        Assert.NotNull(report.SeenPrecisionAt9);
        Assert.True(report.SeenPrecisionAt9.Value >= 0.5, $"precision@9 {report.SeenPrecisionAt9.Value:P0}");
        Assert.True(report.SeenPrecisionAt9.Value > 4 * report.SeenPrecisionAt9.Chance, $"chance {report.SeenPrecisionAt9.Chance:P0}");
    }

    [Fact]
    public void Train_HeldOutLabel_IsRecordedWithItsImagesOutsideTraining()
    {
        Assert.Equal(["bear"], gallery.Model.HeldOutLabels);
        var bears = Engine.ListImages(new ImageQuery(Label: "bear")).Items;
        Assert.NotEmpty(bears);
        Assert.All(bears, b => Assert.Equal(SplitKind.HeldOut, b.Split));
    }

    [Fact]
    public void SearchSimilar_GalleryImage_FindsItselfFirstWithScoreOne()
    {
        var image = Engine.ListImages(new ImageQuery(Label: "horse")).Items[0];

        var best = Engine.SearchSimilar(image.Id, k: 3).Hits[0];

        Assert.Equal(image.Id, best.Image.Id);
        Assert.Equal(1f, best.Score, 3);
    }

    [Fact]
    public void SearchText_SeenLabel_PutsThatLabelFirst()
    {
        var hits = Engine.SearchText("dog", k: 3).Hits;

        Assert.Equal("dog", hits[0].Image.Label);
        Assert.True(hits[0].Score > hits[^1].Score || hits.All(h => h.Image.Label == "dog"));
    }

    [Fact]
    public void Keywords_BearPhotoStamp_AreMostlyAnimalWords()
    {
        var bear = Engine.ListImages(new ImageQuery(Label: "bear")).Items.Single(i => i.FileName == "stamp-bear.png");

        var words = Engine.Keywords(bear.Id, k: 10).Select(w => w.Word).ToList();

        string[] animals = ["dog", "cat", "horse", "bear", "animal", "pet", "puppy", "wolf", "fox", "lion", "mammal", "beast", "pig", "cattle", "deer", "hound", "fish", "bird", "kitten"];
        Assert.True(words.Count(w => animals.Any(a => w.Contains(a))) >= 3, string.Join(", ", words));
    }

    [Fact]
    public void Search_CombinedWordsAndImage_MixesBothIntoOneQuery()
    {
        var boat = Engine.ListImages(new ImageQuery(Label: "boat")).Items[0];

        var combined = Engine.Search(new SearchQuery { Texts = ["tree"], ImageIds = [boat.Id], K = 20 }).Hits;

        Assert.Contains(combined, h => h.Image.Label == "boat");
        Assert.Contains(combined, h => h.Image.Label == "tree");
    }

    [Fact]
    public void Search_UnknownImageId_FailsWithAClearError()
    {
        var error = Assert.Throws<DeviseException>(() => Engine.SearchSimilar(987654));

        Assert.Contains("987654", error.Message);
    }

    [Fact]
    public async Task ImportFile_AfterTraining_IsSearchableAtOnce()
    {
        var whale = TestData.DemoImage("whale", "emoji-google-1f433.png");

        var result = await Engine.ImportFileAsync(whale, "whale");

        Assert.Equal(ImportOutcome.Added, result.Outcome);
        Assert.Equal(result.Image!.Id, Engine.SearchSimilar(result.Image.Id, k: 1).Hits[0].Image.Id);
        Assert.Contains(Engine.SearchText("whale", k: 5).Hits, h => h.Image.Id == result.Image.Id);
    }

    [Fact]
    public async Task Reopen_SameDataDirectory_GivesTheSameSearchResults()
    {
        var options = new EngineOptions { DataDirectory = TestData.NewTemporaryDirectory("reopen") };
        List<(int, float)> before;
        using (var engine = new DeviseEngine(options))
        {
            await engine.ImportFolderAsync(TestData.CopySubset(["boat", "car", "cat", "tree"]));
            await engine.TrainAsync(new TrainingOptions { Epochs = 5, HeldOutLabelCount = 0 });
            before = engine.SearchText("a boat on the sea", k: 8).Hits.Select(h => (h.Image.Id, h.Score)).ToList();
        }

        using var reopened = new DeviseEngine(options);
        var after = reopened.SearchText("a boat on the sea", k: 8).Hits.Select(h => (h.Image.Id, h.Score)).ToList();

        Assert.Equal(8, after.Count);
        Assert.Equal(before.Select(b => b.Item1), after.Select(a => a.Item1));
        Assert.All(before.Zip(after), p => Assert.Equal(p.First.Item2, p.Second.Item2, 5));
    }

    [Fact]
    public async Task ModelVersions_OlderVersionByIdAndAfterActivation_GiveItsOwnResults()
    {
        using var engine = new DeviseEngine(new EngineOptions { DataDirectory = TestData.NewTemporaryDirectory("versions") });
        await engine.ImportFolderAsync(TestData.CopySubset(["boat", "car", "cat", "tree", "fish"]));
        var first = await engine.TrainAsync(new TrainingOptions { Epochs = 3, HeldOutLabelCount = 0, Seed = 1 });
        var firstResults = engine.SearchText("water", k: 6);
        var second = await engine.TrainAsync(new TrainingOptions { Epochs = 12, HeldOutLabelCount = 1, Seed = 2 });

        var pinned = engine.SearchText("water", k: 6, modelId: first.Id);
        var current = engine.SearchText("water", k: 6);
        await engine.ActivateModelAsync(first.Id);
        var reactivated = engine.SearchText("water", k: 6);

        Assert.Equal(second.Id, current.ModelId);
        Assert.Equal(first.Id, pinned.ModelId);
        Assert.Equal(firstResults.Hits.Select(h => h.Image.Id), pinned.Hits.Select(h => h.Image.Id));
        Assert.NotEqual(firstResults.Hits.Select(h => h.Score), current.Hits.Select(h => h.Score));
        Assert.Equal(first.Id, engine.ActiveModel!.Record.Id);
        Assert.Equal(firstResults.Hits.Select(h => h.Image.Id), reactivated.Hits.Select(h => h.Image.Id));
    }
}
