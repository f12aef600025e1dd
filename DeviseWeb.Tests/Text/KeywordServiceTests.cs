using DeviseWeb.Engine;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Text;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Text;

/// <summary>Image → keywords among the template's 2,000 most used WordNet nouns and the gallery's labels.</summary>
[Collection(TrainedEngineCollection.Name)]
public sealed class KeywordServiceTests(TrainedEngineFixture shared)
{
    private static readonly string[] AnimalWords =
        ["dog", "cat", "horse", "bear", "animal", "pet", "puppy", "wolf", "fox", "lion", "mammal", "beast", "pig", "cattle", "cow",
         "deer", "hound", "fish", "bird", "kitten", "rabbit", "creature"];

    private KeywordService Keywords => shared.Get<KeywordService>();

    [Fact]
    public void ForImage_HeldOutBearStamp_AreMostlyAnimalWords()
    {
        var bear = shared.ImageOf("bear", "photo-bear.png");

        var words = Keywords.ForImage(bear.Id, k: 10).Select(w => w.Word).ToList();

        Assert.Equal(10, words.Count);
        Assert.True(words.Count(w => AnimalWords.Any(w.Contains)) >= 5, string.Join(", ", words));
    }

    [Fact]
    public async Task ForReference_ApplePhoto_PutsAppleAmongTheFirstWords()
    {
        await using var photo = File.OpenRead(TemplateData.NotImportedPath(0));
        var hash = await shared.Get<ReferencePhotos>().StoreAsync(photo, "apple.png");

        var keywords = Keywords.ForReference(hash, k: 5);

        Assert.Contains("apple", keywords.Take(3).Select(k => k.Word));
        Assert.Equal(keywords.OrderByDescending(k => k.Score).Select(k => k.Word), keywords.Select(k => k.Word));
    }

    [Fact]
    public void ForImage_UnknownImageOrBadCount_ThrowsTypedErrors()
    {
        var horse = shared.ImagesOf("horse")[0];

        Assert.Throws<NotFoundException>(() => Keywords.ForImage(987654));
        Assert.Throws<InvalidInputException>(() => Keywords.ForImage(horse.Id, k: 0));
        Assert.Throws<NotFoundException>(() => Keywords.ForImage(horse.Id, modelId: 999));
    }

    [Fact]
    public async Task Build_TemplateCache_HoldsTheNounsAndTheLabelsTheyLack()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var keywords = engine.Get<KeywordService>();
        Assert.Null(keywords.Size);

        int size = keywords.Build();

        Assert.Equal(size, keywords.Size);
        Assert.InRange(size, TemplateData.VocabularyLimit, TemplateData.VocabularyLimit + TemplateData.Labels.Count);
    }

    [Fact]
    public async Task ForImage_AfterANewLabelAppears_CanAnswerWithIt()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var keywords = engine.Get<KeywordService>();
        int before = keywords.Build();
        var greenApples = engine.Get<GalleryService>().List(new ImageQuery("apple")).Items.Where(i => i.FileName.Contains("1f34f")).ToList();
        engine.Get<GalleryService>().Relabel(greenApples.Select(i => i.Id).ToList(), "green apple");

        var words = keywords.ForImage(greenApples[0].Id, k: 5).Select(k => k.Word).ToList();

        Assert.Equal(2, greenApples.Count);
        Assert.Equal(before + 1, keywords.Size);
        Assert.Contains("green apple", words);
    }

    [Fact]
    public async Task ForImage_NoModelYet_ThrowsConflict()
    {
        await using var engine = await EngineHost.StartEmptyAsync();
        await using var photo = File.OpenRead(TemplateData.NotImportedPath(0));
        var image = (await engine.Get<ImportService>().ImportStreamAsync(photo, "apple.png", "apple")).Image!;

        Assert.Throws<ConflictException>(() => engine.Get<KeywordService>().ForImage(image.Id));
    }
}
