using DeviseWeb.Engine;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Gallery;

/// <summary>
/// The catalogue and its management. Reads and refused changes use the shared engine; every change that goes
/// through runs on a private copy of the template.
/// </summary>
[Collection(TrainedEngineCollection.Name)]
public sealed class GalleryServiceTests(TrainedEngineFixture shared)
{
    private GalleryService Gallery => shared.Get<GalleryService>();

    [Fact]
    public async Task Summary_Template_ListsEveryLabelWithItsCountAndTheHeldOutLabel()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();

        var summary = engine.Get<GalleryService>().Summary();

        Assert.Equal(TemplateData.Labels, summary.Labels.Select(l => l.Label));
        Assert.All(summary.Labels, l => Assert.Equal(TemplateData.CountOf(l.Label), l.Count));
        Assert.Equal(TemplateData.ImageCount, summary.ImageCount);
        Assert.Equal([TemplateData.HeldOutLabel], summary.HeldOutLabels);
        Assert.Equal(SplitKind.HeldOut, summary.Labels.Single(l => l.Label == TemplateData.HeldOutLabel).Split);
    }

    [Fact]
    public void List_HeldOutLabelWithItsSplit_ReturnsItsImagesItsEvaluationImagesApartAndNoneAsTrain()
    {
        var heldOut = Gallery.List(new ImageQuery("  BEAR ", SplitKind.HeldOut));
        var trained = Gallery.List(new ImageQuery(TemplateData.HeldOutLabel, SplitKind.Train));
        var evaluation = Gallery.List(new ImageQuery(TemplateData.HeldOutLabel, SplitKind.Evaluation));

        // The bear photographs are evaluation-only: marked in the catalogue, in no split.
        int photographs = TemplateData.EvaluationFiles(TemplateData.HeldOutLabel).Count;
        Assert.Equal(TemplateData.CountOf(TemplateData.HeldOutLabel) - photographs, heldOut.Total);
        Assert.All(heldOut.Items, i => Assert.Equal((TemplateData.HeldOutLabel, SplitKind.HeldOut), (i.Label, i.Split)));
        Assert.Equal(0, trained.Total);
        Assert.Equal(photographs, evaluation.Total);
    }

    [Fact]
    public void FindMany_IdsInAnyOrderWithRepeatsAndUnknownOnes_ReturnsTheKnownInTheGivenOrderAsFindDoes()
    {
        var known = Gallery.List(new ImageQuery(Take: 5)).Items.Select(i => i.Id).ToList();
        int[] asked = [known[3], -7, known[0], int.MaxValue, known[3], known[4]];

        var found = Gallery.FindMany(asked);

        Assert.Equal([known[3], known[0], known[3], known[4]], found.Select(i => i.Id));
        Assert.All(found, i => Assert.Equal(Gallery.Find(i.Id), i));
        Assert.Empty(Gallery.FindMany([]));
    }

    [Fact]
    public void List_PageByPage_CoversTheGalleryOnceInIdOrder()
    {
        int total = Gallery.Count;

        var ids = new List<int>();
        for (int skip = 0; skip < total; skip += 50) ids.AddRange(Gallery.List(new ImageQuery(Skip: skip, Take: 50)).Items.Select(i => i.Id));

        Assert.Equal(total, ids.Count);
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void Thumbnail_GalleryImage_IsAJpeg()
    {
        var image = shared.ImagesOf("horse")[0];

        var thumbnail = Gallery.Thumbnail(image.Id);

        Assert.Equal(new byte[] { 0xFF, 0xD8 }, thumbnail[..2]);
    }

    [Fact]
    public void Lookups_UnknownId_ThrowNotFoundNamingIt()
    {
        Assert.Contains("987654", Assert.Throws<NotFoundException>(() => Gallery.Get(987654)).Message);
        Assert.Contains("987654", Assert.Throws<NotFoundException>(() => Gallery.Thumbnail(987654)).Message);
        Assert.Contains("987654", Assert.Throws<NotFoundException>(() => Gallery.OriginalPath(987654)).Message);
        Assert.Null(Gallery.Find(987654));
    }

    [Fact]
    public async Task Delete_GalleryImage_LeavesSearchTheCountsAndTheDiskAtOnce()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var gallery = engine.Get<GalleryService>();
        var search = engine.Get<SearchService>();
        var dogs = gallery.List(new ImageQuery("dog")).Items;
        var doomed = (await search.SearchTextAsync("dog", k: 1)).Hits[0].Image;
        string original = gallery.OriginalPath(doomed.Id);
        int count = gallery.Count;

        var deleted = gallery.Delete([doomed.Id]);

        Assert.Equal([doomed.Id], deleted);
        Assert.Null(gallery.Find(doomed.Id));
        Assert.DoesNotContain((await search.SearchTextAsync("dog", k: SearchLimits.MaxK)).Hits, h => h.Image.Id == doomed.Id);
        Assert.DoesNotContain((await search.SearchSimilarAsync(dogs.First(d => d.Id != doomed.Id).Id, k: SearchLimits.MaxK)).Hits, h => h.Image.Id == doomed.Id);
        Assert.Equal(count - 1, gallery.Count);
        Assert.Equal(count - 1, engine.Get<ModelService>().IndexedCount);
        Assert.Equal(dogs.Count - 1, gallery.Summary().Labels.Single(l => l.Label == "dog").Count);
        Assert.False(File.Exists(original));
    }

    [Fact]
    public async Task Delete_ThenReopen_StaysDeleted()
    {
        var directory = await TemplateData.CopyAsync();
        try
        {
            int doomed;
            await using (var engine = await EngineHost.StartAsync(directory))
            {
                doomed = (await engine.Get<SearchService>().SearchTextAsync("fish", k: 1)).Hits[0].Image.Id;
                engine.Get<GalleryService>().Delete([doomed]);
            }

            await using var reopened = await EngineHost.StartAsync(directory);

            Assert.Null(reopened.Get<GalleryService>().Find(doomed));
            Assert.Equal(TemplateData.ImageCount - 1, reopened.Get<GalleryService>().Count);
            Assert.Equal(TemplateData.ImageCount - 1, reopened.Get<ModelService>().IndexedCount);
            Assert.Null(reopened.Get<FeatureStore>().Get(doomed));
            Assert.DoesNotContain((await reopened.Get<SearchService>().SearchTextAsync("fish", k: SearchLimits.MaxK)).Hits, h => h.Image.Id == doomed);
        }
        finally
        {
            TemplateData.DeleteQuietly(directory);
        }
    }

    [Fact]
    public void Delete_UnknownIds_DeletesNothing()
    {
        int count = Gallery.Count;

        var deleted = Gallery.Delete([987654, 987655]);

        Assert.Empty(deleted);
        Assert.Equal(count, Gallery.Count);
    }

    [Fact]
    public void BulkChanges_MoreIdsThanAPage_AreRefusedBeforeChangingAnything()
    {
        var ids = Enumerable.Range(1, GalleryService.MaxPageSize + 1).ToList();
        int count = Gallery.Count;
        string label = Gallery.Get(1).Label;

        var delete = Assert.Throws<InvalidInputException>(() => Gallery.Delete(ids));
        var relabel = Assert.Throws<InvalidInputException>(() => Gallery.Relabel(ids, "dog"));

        Assert.Contains($"{GalleryService.MaxPageSize}", delete.Message);
        Assert.Contains($"{GalleryService.MaxPageSize}", relabel.Message);
        Assert.Equal(count, Gallery.Count);
        Assert.Equal(label, Gallery.Get(1).Label);
    }

    [Fact]
    public async Task Relabel_OneImageIntoTheHeldOutLabel_ChangesItsLabelAndSplitButNotItsVectors()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var gallery = engine.Get<GalleryService>();
        var search = engine.Get<SearchService>();
        var dog = gallery.List(new ImageQuery("dog", SplitKind.Train)).Items[0];
        var features = engine.Get<FeatureStore>().Get(dog.Id);
        var neighbours = (await search.SearchAsync(new SearchQuery { ImageIds = [dog.Id], K = 10 })).Hits.Select(h => (h.Image.Id, h.Score)).ToList();

        var changed = gallery.Relabel([dog.Id], "Bear");

        var image = Assert.Single(changed);
        Assert.Equal((dog.Id, "bear", SplitKind.HeldOut), (image.Id, image.Label, image.Split));
        Assert.Equal(("bear", SplitKind.HeldOut), (gallery.Get(dog.Id).Label, gallery.Get(dog.Id).Split));
        Assert.Equal(features, engine.Get<FeatureStore>().Get(dog.Id));
        Assert.Equal(neighbours, (await search.SearchAsync(new SearchQuery { ImageIds = [dog.Id], K = 10 })).Hits.Select(h => (h.Image.Id, h.Score)));
    }

    [Fact]
    public async Task Relabel_ManyImages_MovesThemAllAndTheCountsButKeepsTheirSplit()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var gallery = engine.Get<GalleryService>();
        var cats = gallery.List(new ImageQuery("cat")).Items.Take(3).ToList();

        var changed = gallery.Relabel(cats.Select(c => c.Id).ToList(), "kitten");

        Assert.Equal(cats.Select(c => (c.Id, "kitten", c.Split)), changed.Select(c => (c.Id, c.Label, c.Split)));
        var labels = gallery.Summary().Labels.ToDictionary(l => l.Label, l => l.Count);
        Assert.Equal(3, labels["kitten"]);
        Assert.Equal(TemplateData.CountOf("cat") - 3, labels["cat"]);
        Assert.Equal(TemplateData.ImageCount, gallery.Count);
    }

    [Fact]
    public void Relabel_UnknownId_ThrowsNotFoundNamingIt()
    {
        var error = Assert.Throws<NotFoundException>(() => Gallery.Relabel([987654], "dog"));

        Assert.Contains("987654", error.Message);
    }

    [Fact]
    public void Relabel_LabelBreakingTheRule_ThrowsInvalidInputAndKeepsTheLabel()
    {
        var horse = shared.ImagesOf("horse")[0];

        var error = Assert.Throws<InvalidInputException>(() => Gallery.Relabel([horse.Id], "horse, pony"));

        Assert.Contains("comma", error.Message);
        Assert.Equal("horse", Gallery.Get(horse.Id).Label);
    }

    [Fact]
    public async Task RenameLabel_OntoAnExistingLabel_MergesThem()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var gallery = engine.Get<GalleryService>();
        var pigs = gallery.List(new ImageQuery("pig")).Items;

        int moved = gallery.RenameLabel("pig", "Dog");

        Assert.Equal(TemplateData.CountOf("pig"), moved);
        Assert.Equal(0, gallery.List(new ImageQuery("pig")).Total);
        Assert.DoesNotContain(gallery.Summary().Labels, l => l.Label == "pig");
        Assert.Equal(TemplateData.CountOf("dog") + moved, gallery.Summary().Labels.Single(l => l.Label == "dog").Count);
        Assert.All(pigs, p => Assert.Equal("dog", gallery.Get(p.Id).Label));
    }

    [Fact]
    public void RenameLabel_UnknownLabel_ThrowsNotFoundNamingIt()
    {
        var error = Assert.Throws<NotFoundException>(() => Gallery.RenameLabel("unicorn", "horse"));

        Assert.Contains("unicorn", error.Message);
    }

    [Fact]
    public void RenameLabel_TargetBreakingTheRule_ThrowsInvalidInputAndMovesNothing()
    {
        int count = Gallery.List(new ImageQuery("horse")).Total;

        Assert.Throws<InvalidInputException>(() => Gallery.RenameLabel("horse", "\u202Eesroh"));

        Assert.Equal(count, Gallery.List(new ImageQuery("horse")).Total);
    }
}
