using DeviseWeb.Engine;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Text;
using DeviseWeb.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

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
    public async Task ForImage_HeldOutBearStamp_AreMostlyAnimalWords()
    {
        var bear = shared.ImageOf("bear", "photo-bear.png");

        var words = (await Keywords.ForImageAsync(bear.Id, k: 10)).Select(w => w.Word).ToList();

        Assert.Equal(10, words.Count);
        Assert.True(words.Count(w => AnimalWords.Any(w.Contains)) >= 5, string.Join(", ", words));
    }

    [Fact]
    public async Task ForReference_ApplePhoto_PutsAppleAmongTheFirstWords()
    {
        await using var photo = File.OpenRead(TemplateData.NotImportedPath(0));
        var hash = await shared.Get<ReferencePhotos>().StoreAsync(photo, "apple.png");

        var keywords = await Keywords.ForReferenceAsync(hash, k: 5);

        Assert.Contains("apple", keywords.Take(3).Select(k => k.Word));
        Assert.Equal(keywords.OrderByDescending(k => k.Score).Select(k => k.Word), keywords.Select(k => k.Word));
    }

    [Fact]
    public async Task ForImage_UnknownImageOrBadCount_ThrowsTypedErrors()
    {
        var horse = shared.ImagesOf("horse")[0];

        await Assert.ThrowsAsync<NotFoundException>(() => Keywords.ForImageAsync(987654));
        await Assert.ThrowsAsync<InvalidInputException>(() => Keywords.ForImageAsync(horse.Id, k: 0));
        await Assert.ThrowsAsync<NotFoundException>(() => Keywords.ForImageAsync(horse.Id, modelId: 999));
    }

    [Fact]
    public async Task ForImageAsync_TokenAlreadyCancelled_ThrowsOperationCanceled()
    {
        var horse = shared.ImagesOf("horse")[0];

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Keywords.ForImageAsync(horse.Id, cancellationToken: new CancellationToken(canceled: true)));
    }

    [Fact]
    public async Task ForImageAsync_CancelledWhileTheVocabularyIsBuilding_StopsWaitingWithoutTheBuild()
    {
        var encoder = new HookedTextEncoder(new MiniLmTextEncoder());
        await using var engine = await EngineHost.StartOnTemplateAsync(addServices: s => s.AddSingleton<ITextEncoder>(_ => encoder));
        File.Delete(engine.Get<EngineOptions>().VocabularyCachePath); // the build has to embed the nouns
        var keywords = engine.Get<KeywordService>();
        var horse = engine.Get<GalleryService>().List(new ImageQuery("horse")).Items[0];
        using var gate = new ManualResetEventSlim();
        var encoding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        encoder.OnEncode = _ =>
        {
            encoding.TrySetResult();
            gate.Wait();
        };
        using var stopBuild = new CancellationTokenSource();
        var build = keywords.BuildAsync(cancellationToken: stopBuild.Token);
        await encoding.Task.WaitAsync(Eventually.Guard);
        using var leave = new CancellationTokenSource();
        var request = keywords.ForImageAsync(horse.Id, cancellationToken: leave.Token);

        leave.Cancel();

        // The guard turns a request stuck behind the build into a failure instead of a hang.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request.WaitAsync(Eventually.Guard));
        Assert.False(build.IsCompleted);
        stopBuild.Cancel();
        gate.Set();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => build);
    }

    [Fact]
    public async Task Build_TemplateCache_HoldsTheNounsAndTheLabelsTheyLack()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var keywords = engine.Get<KeywordService>();
        Assert.Null(keywords.Size);

        int size = await keywords.BuildAsync();

        Assert.Equal(size, keywords.Size);
        Assert.InRange(size, TemplateData.VocabularyLimit, TemplateData.VocabularyLimit + TemplateData.Labels.Count);
    }

    [Fact]
    public async Task ForImage_AfterANewLabelAppears_CanAnswerWithIt()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var keywords = engine.Get<KeywordService>();
        int before = await keywords.BuildAsync();
        var greenApples = engine.Get<GalleryService>().List(new ImageQuery("apple")).Items.Where(i => i.FileName.Contains("1f34f")).ToList();
        engine.Get<GalleryService>().Relabel(greenApples.Select(i => i.Id).ToList(), "green apple");

        var words = (await keywords.ForImageAsync(greenApples[0].Id, k: 5)).Select(k => k.Word).ToList();

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

        await Assert.ThrowsAsync<ConflictException>(() => engine.Get<KeywordService>().ForImageAsync(image.Id));
    }
}
