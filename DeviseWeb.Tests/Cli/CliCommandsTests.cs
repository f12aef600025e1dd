using System.Text.RegularExpressions;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Cli;

/// <summary>The verbs end to end on a small real store: import → train → search → delete → relabel → rename-label → jobs.</summary>
[Collection(CliStoreCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)]
public sealed class CliCommandsTests(CliStoreFixture store)
{
    [Fact]
    public void Import_DemoFolder_AddsEveryImageAndShowsProgress()
    {
        Assert.True(store.Import.ExitCode == 0, store.Import.ToString());
        Assert.Contains($"Imported {store.ImageCount} images (0 duplicates skipped, 0 rejected)", store.Import.Output);
        Assert.Contains("new ones are searchable after training", store.Import.Output);
        Assert.Contains($"import: 100 % {store.ImageCount}/{store.ImageCount}", store.Import.Errors); // plain progress lines off a terminal
    }

    [Fact]
    public void Train_ThreeEpochs_CreatesAnActiveModelVersionWithEpochLines()
    {
        Assert.True(store.Train.ExitCode == 0, store.Train.ToString());
        Assert.Matches(@"Model version 1: Linear\(512,1024\).*, active\.", store.Train.Output);
        Assert.Contains("zero-shot hit@5", store.Train.Output);
        Assert.Contains("epoch   3/3", store.Train.Errors);
    }

    [Fact]
    public void Train_OffATerminal_PrintsOneLineAsEachPassBeginsInOrder()
    {
        var passes = store.Train.Errors.Split('\n', StringSplitOptions.TrimEntries).Where(l => l.StartsWith("pass ", StringComparison.Ordinal))
            .Select(l => Regex.Replace(l, @" \([\d,]+\)$", "")); // the pass's size, where it has one
        var names = Enum.GetValues<TrainingPass>().Select(TrainingPlan.NameOf).ToList(); // a default run makes every pass

        Assert.Equal(names.Select((name, i) => $"pass {i + 1}/{names.Count}: {name}"), passes);
    }

    [Fact]
    public void Train_DatasetWithAnEvaluationList_TrainsWithoutThoseImagesAndMeasuresThem()
    {
        Assert.Matches($@"evaluation set P@5, label names\s+\d+\.\d %\s+\d+\.\d %", store.Train.Output);
        Assert.Contains($"evaluation set: {store.EvaluationCount} evaluation-only images, never trained on", store.Train.Output);
    }

    [Fact]
    public async Task Eval_ActiveVersion_RunsAsAJobAndPrintsTheReportAsJson()
    {
        var run = await store.RunAsync("eval", "--json");
        var models = await store.RunAsync("models", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("eval: 100 %", run.Errors); // the job's progress, as every long verb shows it
        var report = run.Json();
        var exact = report.GetProperty("photoExactPrecisionAt5");
        Assert.True(exact.GetProperty("value").GetDouble() > 2 * exact.GetProperty("chance").GetDouble(), exact.ToString());
        Assert.True(report.GetProperty("seenPrecisionAt9").GetProperty("value").GetDouble() > 0);
        var copies = report.GetProperty("duplicateHit1");
        Assert.Equal((1.0, 3 * store.EvaluationCount), (copies.GetProperty("value").GetDouble(), copies.GetProperty("count").GetInt32()));
        var stored = models.Json().EnumerateArray().Single(m => m.GetProperty("isActive").GetBoolean()).GetProperty("evaluation");
        Assert.Equal(report.GetProperty("evaluatedUtc").GetDateTime(), stored.GetProperty("evaluatedUtc").GetDateTime(), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Backup_NewFolder_SaysWhatItHoldsAndTheFolderVerifiesClean()
    {
        var folder = TestData.NewTemporaryDirectory("cli-backup");
        try
        {
            var target = Path.Combine(folder, "backup");
            var run = await store.RunAsync("backup", target);
            var verify = await CliRunner.RunAsync("verify", "--data", target);

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Matches(@"Backed up [\d,]+ images? and \d+ vector files? to .*backup in", run.Output);
            Assert.Contains("Restore: stop the app", run.Output);
            Assert.True(verify.ExitCode == 0, verify.ToString());
            Assert.Contains("The store is clean", verify.Output);
        }
        finally { TestData.DeleteQuietly(folder); }
    }

    [Fact]
    public async Task Backup_IntoAFolderUnderAFile_Exit1NamingThePathWithoutAStackTrace()
    {
        var folder = TestData.NewTemporaryDirectory("cli-backup-file");
        try
        {
            var file = Path.Combine(folder, "a-file");
            File.WriteAllText(file, "");

            var run = await store.RunAsync("backup", Path.Combine(file, "backup"));

            Assert.Equal(1, run.ExitCode);
            Assert.StartsWith("error: ", run.Errors);
            Assert.Contains(file, run.Errors);
            Assert.DoesNotContain("   at ", run.Errors);
            Assert.Equal(["a-file"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName));
        }
        finally { TestData.DeleteQuietly(folder); }
    }

    [Fact]
    public async Task Import_OneFileAsEvaluation_MarksItEvaluationOnly()
    {
        var file = Directory.GetFiles(Path.Combine(TestData.RequireDemo(), "boat")).Order(StringComparer.Ordinal).First(); // a label the store lacks

        var run = await store.RunAsync("import", file, "--evaluation", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("Evaluation", run.Json().GetProperty("image").GetProperty("split").GetString());
    }

    [Fact]
    public async Task Search_Word_ListsKHitsWithScoresAsJson()
    {
        var run = await store.RunAsync("search", "dog", "--k", "3", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var hits = run.Json().EnumerateArray().ToList();
        Assert.Equal(3, hits.Count);
        Assert.All(hits, h => Assert.InRange(h.GetProperty("score").GetSingle(), -1f, 1.0001f));
        Assert.All(hits, h => Assert.True(File.Exists(h.GetProperty("path").GetString())));
    }

    [Fact]
    public async Task Delete_KnownIds_RemovesThemFromTheGallery()
    {
        var fish = await CliRunner.IdsOfLabelAsync(store.DataDirectory, "fish");

        var run = await store.RunAsync("delete", fish[0].ToString(), fish[1].ToString());

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Deleted 2 images: #{fish[0]}, #{fish[1]}.", run.Output);
        Assert.Equal(fish.Skip(2), await CliRunner.IdsOfLabelAsync(store.DataDirectory, "fish"));
        var again = await store.RunAsync("similar", fish[0].ToString());
        Assert.Equal(1, again.ExitCode);
        Assert.Equal($"error: No image with id {fish[0]}.", again.Errors.Trim());
    }

    [Fact]
    public async Task Relabel_Ids_GivesThemTheNormalisedLabel()
    {
        var pigs = await CliRunner.IdsOfLabelAsync(store.DataDirectory, "pig");

        var run = await store.RunAsync("relabel", pigs[0].ToString(), pigs[1].ToString(), "--label", "Farm   Animal");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Relabelled 2 images as 'farm animal': #{pigs[0]}, #{pigs[1]}.", run.Output);
        Assert.Equal(pigs.Take(2), await CliRunner.IdsOfLabelAsync(store.DataDirectory, "farm animal"));
    }

    [Fact]
    public async Task Relabel_LabelBreakingTheRule_Exit1WithTheRule()
    {
        var trees = await CliRunner.IdsOfLabelAsync(store.DataDirectory, "tree");

        var run = await store.RunAsync("relabel", trees[0].ToString(), "--label", "oak, birch");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("contains a comma", run.Errors);
    }

    [Fact]
    public async Task RenameLabel_ExistingLabel_MovesEveryImage()
    {
        var moons = await CliRunner.IdsOfLabelAsync(store.DataDirectory, "moon");

        var run = await store.RunAsync("rename-label", "moon", "Night Sky", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("moon", run.Json().GetProperty("from").GetString());
        Assert.Equal("night sky", run.Json().GetProperty("to").GetString());
        Assert.Equal(moons.Count, run.Json().GetProperty("moved").GetInt32());
        Assert.Equal(moons, await CliRunner.IdsOfLabelAsync(store.DataDirectory, "night sky"));
    }

    [Fact]
    public async Task RenameLabel_UnknownLabel_Exit1()
    {
        var run = await store.RunAsync("rename-label", "no such label", "anything");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("error: No images are labelled 'no such label'.", run.Errors.Trim());
    }

    [Fact]
    public async Task Jobs_AfterImportAndTraining_ListsBothFinishedWithDurations()
    {
        var run = await store.RunAsync("jobs");
        var json = await store.RunAsync("jobs", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"Import\s+Finished\s+\S+ \S+\s+\d+\.\d s\s+Import ", run.Output);
        Assert.Matches(@"Training\s+Finished\s+\S+ \S+\s+\d+\.\d s\s+Train 3 epochs", run.Output);
        var kinds = json.Json().EnumerateArray().Select(j => (j.GetProperty("kind").GetString(), j.GetProperty("state").GetString())).ToList();
        Assert.Contains(("Import", "Finished"), kinds);
        Assert.Contains(("Training", "Finished"), kinds);
    }
}
