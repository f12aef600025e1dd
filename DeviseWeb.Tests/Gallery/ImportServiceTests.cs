using DeviseWeb.Engine;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Text;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Gallery;

/// <summary>Folders through the Import job and uploads straight through the service, each on an engine of its own.</summary>
[Trait(TestCategory.Name, TestCategory.Slow)]
public sealed class ImportServiceTests
{
    [Fact]
    public async Task ImportJob_FolderWithBadFiles_RejectsEachWithItsReasonAndKeepsTheRest()
    {
        await using var engine = await EngineHost.StartEmptyAsync();
        var dataset = TestData.CopySubset(["cat", "dog"]);
        int good = Directory.GetFiles(dataset, "*", SearchOption.AllDirectories).Length;
        var cat = Path.Combine(dataset, "cat");
        var real = File.ReadAllBytes(Directory.GetFiles(cat).Order(StringComparer.Ordinal).First());
        File.WriteAllBytes(Path.Combine(cat, "empty.png"), []);
        File.WriteAllText(Path.Combine(cat, "readme.txt"), "not an image");
        File.WriteAllBytes(Path.Combine(cat, "truncated.png"), real[..(real.Length / 2)]);
        File.WriteAllBytes(Path.Combine(cat, "copy-of-first.png"), real);

        var summary = await engine.ImportAsync(dataset);

        Assert.Equal((good, 1, 3), (summary.Added, summary.Duplicates, summary.Rejected));
        Assert.Contains(summary.Rejections, r => r.FileName == "empty.png" && r.Reason!.Contains("empty"));
        Assert.Contains(summary.Rejections, r => r.FileName == "readme.txt" && r.Reason!.Contains("not a supported image"));
        Assert.Contains(summary.Rejections, r => r.FileName == "truncated.png" && r.Reason!.Contains("truncated"));
        Assert.Equal(good, engine.Get<GalleryService>().Count);
        Assert.Equal(good, Directory.GetFiles(Path.Combine(engine.DataDirectory, "images"), "*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public async Task ImportJob_FolderWithAnEvaluationList_MarksThoseImagesEvaluationOnly()
    {
        await using var engine = await EngineHost.StartEmptyAsync();
        var dataset = TestData.WriteEvaluationList(TestData.CopySubset(["apple", "cat"]));
        var marked = File.ReadAllLines(Path.Combine(dataset, DatasetFolder.EvaluationFileName)).Select(Path.GetFileName).ToHashSet();

        await engine.ImportAsync(dataset);

        var images = engine.Get<GalleryService>().List(new ImageQuery(Take: GalleryService.MaxPageSize)).Items;
        Assert.NotEmpty(marked);
        Assert.Equal(marked.Order(), images.Where(i => i.Split == SplitKind.Evaluation).Select(i => i.FileName).Order());
        Assert.Equal(marked.Count, engine.Get<GalleryService>().List(new ImageQuery(Split: SplitKind.Evaluation)).Total);
        Assert.Equal(images.Where(i => i.Split == SplitKind.Evaluation).Select(i => i.Id), engine.Get<ImageRepository>().EvaluationIds());
    }

    [Fact]
    public async Task ImportJob_FolderWithEverydayWords_KeepsThemInTheDataDirectoryForTheEvaluation()
    {
        await using var engine = await EngineHost.StartEmptyAsync();
        var dataset = TestData.CopySubset(["cat"]);
        File.WriteAllText(Path.Combine(dataset, Engine.Evaluation.EverydayWords.FileName), "pet\tcat\n");

        await engine.ImportAsync(dataset);

        Assert.Equal("pet\tcat\n", File.ReadAllText(Path.Combine(engine.DataDirectory, Engine.Evaluation.EverydayWords.FileName)));
    }

    [Fact]
    public async Task ImportJob_MalformedEverydayWords_FailsNamingTheLineBeforeAnythingIsWritten()
    {
        await using var engine = await EngineHost.StartEmptyAsync();
        var dataset = TestData.CopySubset(["cat"]);
        File.WriteAllText(Path.Combine(dataset, Engine.Evaluation.EverydayWords.FileName), "pet\tcat\nsea without a tab\n");

        var job = await engine.RunJobAsync(new JobRequest { Kind = JobKind.Import, Import = new ImportJobOptions(dataset, null) });

        Assert.Equal(JobState.Failed, job.State);
        Assert.Contains($"{Engine.Evaluation.EverydayWords.FileName}: line 2", job.Error);
        Assert.Equal(0, engine.Get<GalleryService>().Count);
        Assert.False(File.Exists(Path.Combine(engine.DataDirectory, Engine.Evaluation.EverydayWords.FileName)));
    }

    [Fact]
    public async Task ImportJob_FolderAskedEvaluationOnly_MarksEveryImage()
    {
        await using var engine = await EngineHost.StartEmptyAsync();

        var job = await engine.RunJobAsync(new JobRequest { Kind = JobKind.Import, Import = new ImportJobOptions(TestData.CopySubset(["moon"]), Evaluation: true) });

        Assert.Equal(JobState.Finished, job.State);
        Assert.EndsWith("as evaluation-only images", job.Description, StringComparison.Ordinal);
        Assert.Equal(TemplateData.CountOf("moon"), engine.Get<ImageRepository>().EvaluationIds().Count);
    }

    [Fact]
    public async Task ImportStreamAsync_EvaluationUpload_IsMarkedAndOthersAreNot()
    {
        await using var engine = await EngineHost.StartEmptyAsync();
        var import = engine.Get<ImportService>();
        await using var first = File.OpenRead(TemplateData.NotImportedPath(0));
        await using var second = File.OpenRead(TemplateData.NotImportedPath(1));

        var marked = await import.ImportStreamAsync(first, "apple.png", "apple", evaluation: true);
        var plain = await import.ImportStreamAsync(second, "rabbit.png", "rabbit");

        Assert.Equal(SplitKind.Evaluation, marked.Image!.Split);
        Assert.Equal(SplitKind.Unassigned, plain.Image!.Split);
        Assert.Equal([marked.Image.Id], engine.Get<ImageRepository>().EvaluationIds());
    }

    [Fact]
    public async Task ImportJob_SameFolderTwice_AddsNothingTheSecondTime()
    {
        await using var engine = await EngineHost.StartEmptyAsync();
        var dataset = TestData.CopySubset(["moon"]);
        var first = await engine.ImportAsync(dataset);

        var second = await engine.ImportAsync(dataset);

        Assert.Equal(TemplateData.CountOf("moon"), first.Added);
        Assert.Equal((0, first.Added), (second.Added, second.Duplicates));
        Assert.Equal(first.Added, engine.Get<GalleryService>().Count);
    }

    [Fact]
    public async Task ImportJob_FolderWithABadLabel_RejectsItsFilesSayingWhyAndImportsTheRest()
    {
        await using var engine = await EngineHost.StartEmptyAsync();
        var dataset = TestData.CopySubset(["cat", "dog"]);
        Directory.Move(Path.Combine(dataset, "dog"), Path.Combine(dataset, "dogs, puppies"));

        var job = await engine.RunJobAsync(new JobRequest { Kind = JobKind.Import, Import = new ImportJobOptions(dataset) });

        var summary = job.Result!.Import!;
        Assert.Equal(JobState.Finished, job.State);
        Assert.Equal((TemplateData.CountOf("cat"), TemplateData.CountOf("dog")), (summary.Added, summary.Rejected));
        Assert.All(summary.Rejections, r => Assert.Contains("comma", r.Reason));
        Assert.Contains(job.Log, line => line.Contains("Rejected") && line.Contains("comma"));
        Assert.Equal(["cat"], engine.Get<GalleryService>().Summary().Labels.Select(l => l.Label));
    }

    [Fact]
    public async Task ImportJob_OneFile_AddsItUnderTheGivenLabel()
    {
        await using var engine = await EngineHost.StartEmptyAsync();

        var summary = await engine.ImportAsync(TemplateData.NotImportedPath(0), "Red  Apple");

        Assert.Equal((1, 0, 0), (summary.Added, summary.Duplicates, summary.Rejected));
        Assert.Equal("red apple", Assert.Single(engine.Get<GalleryService>().List(new ImageQuery()).Items).Label);
    }

    [Fact]
    public async Task ImportJob_MissingFolder_IsRefusedNamingIt()
    {
        await using var engine = await EngineHost.StartEmptyAsync();

        var error = Assert.Throws<NotFoundException>(() => engine.Get<JobQueue>().Enqueue(
            new JobRequest { Kind = JobKind.Import, Import = new ImportJobOptions("/nonexistent/folder") }));

        Assert.Contains("/nonexistent/folder", error.Message);
        Assert.Empty(engine.Get<JobQueue>().Recent());
    }

    [Fact]
    public async Task ImportFolderAsync_CancelledWithImagesInTheBackboneAndQueued_DisposesEveryDecodedImage()
    {
        using var backbone = new GatedBackbone();
        await using var engine = await EngineHost.StartEmptyAsync(addServices: s => s.AddSingleton<IFeatureExtractor>(backbone));
        var loader = engine.Get<SafeImageLoader>();
        using var cancel = new CancellationTokenSource();
        var import = engine.Get<ImportService>().ImportFolderAsync(TestData.CopySubset(["cat", "dog"]), null, cancellationToken: cancel.Token);
        await Eventually.UntilAsync(() => backbone.Entered >= 1 && loader.LiveImages >= 3, "the import never filled its queue");

        cancel.Cancel();
        backbone.Open();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => import);
        Assert.Equal(0, loader.LiveImages);
    }

    [Fact]
    public async Task ImportFolderAsync_FailingWithImagesQueued_DisposesEveryDecodedImage()
    {
        using var backbone = new GatedBackbone();
        await using var engine = await EngineHost.StartEmptyAsync(addServices: s => s.AddSingleton<IFeatureExtractor>(backbone));
        var loader = engine.Get<SafeImageLoader>();
        var progress = new SynchronousProgress<ImportProgress>(_ => throw new InvalidOperationException("listener broke"));
        var import = engine.Get<ImportService>().ImportFolderAsync(TestData.CopySubset(["cat", "dog"]), progress);
        await Eventually.UntilAsync(() => backbone.Entered >= 1 && loader.LiveImages >= 3, "the import never filled its queue");

        backbone.Open();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => import);
        Assert.Equal("listener broke", error.Message);
        Assert.Equal(0, loader.LiveImages);
    }

    [Fact]
    public async Task ImportStreamAsync_Upload_KeepsTheNormalisedLabelAServerSideFileAndAThumbnail()
    {
        await using var engine = await EngineHost.StartEmptyAsync();
        var import = engine.Get<ImportService>();
        var gallery = engine.Get<GalleryService>();
        await using var stream = File.OpenRead(TestData.DemoImage("bear", "photo-bear.png"));

        var result = await import.ImportStreamAsync(stream, "../../etc/evil name.png", "Brown  BEAR");

        Assert.Equal(ImportOutcome.Added, result.Outcome);
        Assert.Equal(("brown bear", "evil name.png"), (result.Image!.Label, result.Image.FileName));
        Assert.Equal(new byte[] { 0xFF, 0xD8 }, gallery.Thumbnail(result.Image.Id)[..2]);
        var stored = Path.GetFullPath(gallery.OriginalPath(result.Image.Id));
        Assert.StartsWith(Path.GetFullPath(engine.DataDirectory) + Path.DirectorySeparatorChar, stored);
        Assert.Equal(File.ReadAllBytes(TestData.DemoImage("bear", "photo-bear.png")), File.ReadAllBytes(stored));
    }

    [Fact]
    public async Task ImportStreamAsync_NoLabel_FilesItAsUnlabelled()
    {
        await using var engine = await EngineHost.StartEmptyAsync();
        await using var stream = File.OpenRead(TemplateData.NotImportedPath(1));

        var result = await engine.Get<ImportService>().ImportStreamAsync(stream, "photo.png", label: null);

        Assert.Equal(LabelText.Unlabelled, result.Image!.Label);
    }

    [Fact]
    public async Task ImportStreamAsync_KnownContent_IsADuplicateOfTheImageAlreadyThere()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var gallery = engine.Get<GalleryService>();
        var whale = TemplateData.Files("whale")[0];
        var existing = gallery.List(new ImageQuery("whale")).Items.Single(i => i.FileName == Path.GetFileName(whale));
        await using var stream = File.OpenRead(whale);

        var result = await engine.Get<ImportService>().ImportStreamAsync(stream, "again.png", "sea creature");

        Assert.Equal(ImportOutcome.Duplicate, result.Outcome);
        Assert.Equal(existing.Id, result.Image!.Id);
        Assert.Equal(TemplateData.ImageCount, gallery.Count);
        Assert.Equal("whale", gallery.Get(existing.Id).Label);
    }

    [Fact]
    public async Task ImportStreamAsync_AfterTraining_IsSearchableAtOnce()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var search = engine.Get<SearchService>();
        await using var stream = File.OpenRead(TemplateData.NotImportedPath(1));

        var result = await engine.Get<ImportService>().ImportStreamAsync(stream, "rabbit.png", "rabbit");

        int id = result.Image!.Id;
        Assert.Equal(ImportOutcome.Added, result.Outcome);
        var itself = (await search.SearchAsync(new SearchQuery { ImageIds = [id], K = 1 })).Hits[0];
        Assert.Equal(id, itself.Image.Id);
        Assert.Equal(1f, itself.Score, 3);
        // A photograph of a kind the model never trained on (the template's rabbit photographs are evaluation-only)
        // ranks in the top 15 % of the gallery for its label's name; a random rank would average the middle.
        var ranked = (await search.SearchTextAsync("rabbit", k: TemplateData.ImageCount + 1)).Hits.Select(h => h.Image.Id).ToList();
        Assert.InRange(ranked.IndexOf(id), 0, (TemplateData.ImageCount + 1) * 15 / 100);
        Assert.Equal(TemplateData.ImageCount + 1, engine.Get<ModelService>().IndexedCount);
    }

    [Fact]
    public async Task ImportStreamAsync_NotAnImage_IsRejectedWithTheReasonAndAddsNothing()
    {
        await using var engine = await EngineHost.StartEmptyAsync();
        await using var stream = new MemoryStream("this is not a picture"u8.ToArray());

        var result = await engine.Get<ImportService>().ImportStreamAsync(stream, "notes.jpg", "notes");

        Assert.Equal((ImportOutcome.Rejected, "notes.jpg"), (result.Outcome, result.FileName));
        Assert.Contains("not a supported image", result.Reason);
        Assert.Null(result.Image);
        Assert.Equal(0, engine.Get<GalleryService>().Count);
    }

    [Fact]
    public async Task ImportStreamAsync_LabelBreakingTheRule_ThrowsInvalidInputAndAddsNothing()
    {
        await using var engine = await EngineHost.StartEmptyAsync();
        await using var stream = File.OpenRead(TemplateData.NotImportedPath(0));

        var error = await Assert.ThrowsAsync<InvalidInputException>(() =>
            engine.Get<ImportService>().ImportStreamAsync(stream, "apple.png", "red\u200Bapple"));

        Assert.Contains("U+200B", error.Message);
        Assert.Equal(0, engine.Get<GalleryService>().Count);
    }
}
