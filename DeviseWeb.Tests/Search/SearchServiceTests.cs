using DeviseWeb.Engine;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Text;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Search;

/// <summary>Searches on the shared trained engine: real demo images, the model trained on them with "bear" held out.</summary>
[Collection(TrainedEngineCollection.Name)]
public sealed class SearchServiceTests(TrainedEngineFixture shared)
{
    private SearchService Search => shared.Get<SearchService>();

    [Theory]
    [InlineData("dog")]
    [InlineData("airplane")]
    [InlineData("clock")]
    [InlineData("house")]
    [InlineData("tree")]
    public async Task SearchText_SeenLabel_PutsItsImagesFirst(string label)
    {
        var hits = (await Search.SearchTextAsync(label, k: 3)).Hits;

        Assert.Equal([label, label, label], hits.Select(h => h.Image.Label));
        Assert.True(hits[0].Score >= hits[^1].Score);
    }

    [Fact]
    public async Task SearchText_HeldOutLabel_RanksItsImagesFarAboveChance()
    {
        int gallery = shared.Get<GalleryService>().Count;

        var hits = (await Search.SearchTextAsync(TemplateData.HeldOutLabel, k: SearchLimits.MaxK)).Hits;

        // The head never saw a bear: only the text space knows what "bear" is near. By chance the held-out bears (the
        // drawings and the photo cut-out) would rank anywhere; all four in the top fifth would happen about twice in
        // 1,000 tries.
        var ranks = hits.Select((h, rank) => (h.Image, Rank: rank + 1)).Where(h => h.Image.Split == SplitKind.HeldOut).Select(h => h.Rank).ToList();
        Assert.Equal(TemplateData.CountOf(TemplateData.HeldOutLabel) - TemplateData.EvaluationFiles(TemplateData.HeldOutLabel).Count, ranks.Count);
        Assert.Equal(4, ranks.Count);
        Assert.All(ranks, rank => Assert.True(rank <= gallery / 5, $"held-out bears rank {string.Join(", ", ranks)} of {gallery}"));
    }

    [Fact]
    public async Task Search_GalleryImage_FindsItselfFirstWithScoreOne()
    {
        var image = shared.ImagesOf("horse")[0];

        var best = (await Search.SearchAsync(new SearchQuery { ImageIds = [image.Id], K = 3 })).Hits[0];

        Assert.Equal(image.Id, best.Image.Id);
        Assert.Equal(1f, best.Score, 3);
    }

    [Fact]
    public async Task SearchSimilar_GalleryImage_LeavesItselfOutAndFindsItsLabel()
    {
        var image = shared.ImagesOf("dog")[0];

        var hits = (await Search.SearchSimilarAsync(image.Id, k: 3)).Hits;

        Assert.DoesNotContain(hits, h => h.Image.Id == image.Id);
        Assert.Equal(["dog", "dog", "dog"], hits.Select(h => h.Image.Label));
    }

    [Fact]
    public async Task Search_WordsAndAnImage_MixesBothIntoOneQuery()
    {
        var boat = shared.ImagesOf("boat")[0];

        var combined = (await Search.SearchAsync(new SearchQuery { Texts = ["tree"], ImageIds = [boat.Id], K = 10 })).Hits;

        Assert.Contains(combined, h => h.Image.Label == "boat");
        Assert.Contains(combined, h => h.Image.Label == "tree");
    }

    [Fact]
    public async Task Search_ReferencePhotoNotInTheGallery_FindsItsLabel()
    {
        await using var photo = File.OpenRead(TemplateData.NotImportedPath(0));
        var hash = await shared.Get<ReferencePhotos>().StoreAsync(photo, "my-apple.png");

        var hits = (await Search.SearchAsync(new SearchQuery { ReferenceHashes = [hash], K = 5 })).Hits;

        Assert.Equal(Enumerable.Repeat("apple", 5), hits.Select(h => h.Image.Label));
    }

    [Fact]
    public async Task SearchBatch_SeveralQueries_AnswersEachAsASingleSearchWould()
    {
        var cat = shared.ImagesOf("cat")[0];
        SearchQuery[] queries =
        [
            new() { Texts = ["moon"], K = 5 },
            new() { ImageIds = [cat.Id], K = 4, ExcludeQueryImages = true },
            new() { Texts = ["fish"], ImageIds = [cat.Id], K = 6, MinScore = 0.3f },
        ];

        var batch = await Search.SearchBatchAsync(queries);

        Assert.Equal(queries.Length, batch.Count);
        for (int i = 0; i < queries.Length; i++)
        {
            var single = await Search.SearchAsync(queries[i]);
            Assert.Equal(single.ModelId, batch[i].ModelId);
            Assert.Equal(single.Hits.Select(h => h.Image.Id), batch[i].Hits.Select(h => h.Image.Id));
            Assert.All(single.Hits.Zip(batch[i].Hits), p => Assert.Equal(p.First.Score, p.Second.Score, 5));
        }
    }

    [Fact]
    public async Task SearchText_MinScore_DropsHitsBelowIt()
    {
        var all = (await Search.SearchTextAsync("penguin", k: 50)).Hits;

        var close = (await Search.SearchTextAsync("penguin", k: 50, minScore: 0.9f)).Hits;

        Assert.NotEmpty(close);
        Assert.All(close, h => Assert.True(h.Score >= 0.9f));
        Assert.Equal(all.TakeWhile(h => h.Score >= 0.9f).Select(h => h.Image.Id), close.Select(h => h.Image.Id));
        Assert.True(close.Count < all.Count);
    }

    [Fact]
    public async Task Search_UnknownImageId_ThrowsNotFoundNamingIt()
    {
        var error = await Assert.ThrowsAsync<NotFoundException>(() => Search.SearchSimilarAsync(987654));

        Assert.Contains("987654", error.Message);
    }

    [Fact]
    public async Task Search_UnknownModelVersion_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<NotFoundException>(() => Search.SearchTextAsync("dog", modelId: 999));

        Assert.Contains("999", error.Message);
    }

    [Fact]
    public async Task Search_BadQuery_ThrowsInvalidInputNamingEveryProblem()
    {
        var query = new SearchQuery { Texts = [new string('a', SearchLimits.MaxPhraseLength + 1)], K = 0, MinScore = 2f };

        var error = await Assert.ThrowsAsync<InvalidInputException>(() => Search.SearchAsync(query));

        Assert.Contains("k must be", error.Message);
        Assert.Contains("score cutoff", error.Message);
        Assert.Contains($"at most {SearchLimits.MaxPhraseLength} characters", error.Message);
        await Assert.ThrowsAsync<InvalidInputException>(() => Search.SearchAsync(new SearchQuery()));
        await Assert.ThrowsAsync<InvalidInputException>(() => Search.SearchBatchAsync([]));
    }

    [Fact]
    public async Task SearchAsync_TokenAlreadyCancelled_ThrowsOperationCanceled()
    {
        var cancelled = new CancellationToken(canceled: true);
        var cat = shared.ImagesOf("cat")[0];

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Search.SearchTextAsync("dog", cancellationToken: cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Search.SearchSimilarAsync(cat.Id, cancellationToken: cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Search.SearchBatchAsync([new SearchQuery { Texts = ["dog"] }], cancellationToken: cancelled));
    }

    [Fact]
    public async Task SearchAsync_CancelledWhileItsWordsAreEncoded_ThrowsInsteadOfAnswering()
    {
        var encoder = new HookedTextEncoder(new MiniLmTextEncoder());
        await using var engine = await EngineHost.StartOnTemplateAsync(addServices: s => s.AddSingleton<ITextEncoder>(_ => encoder));
        var search = engine.Get<SearchService>();
        using var leave = new CancellationTokenSource();
        encoder.OnEncode = _ => leave.Cancel(); // the client goes away while its words are encoded

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => search.SearchTextAsync("a boat at sea", cancellationToken: leave.Token));

        encoder.OnEncode = null;
        Assert.Equal("boat", (await search.SearchTextAsync("a boat at sea", k: 1)).Hits[0].Image.Label);
    }

    [Fact]
    public async Task Search_NoModelYet_ThrowsConflictSayingToTrainFirst()
    {
        await using var engine = await EngineHost.StartEmptyAsync();

        var error = await Assert.ThrowsAsync<ConflictException>(() => engine.Get<SearchService>().SearchTextAsync("dog"));

        Assert.Contains("train", error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
