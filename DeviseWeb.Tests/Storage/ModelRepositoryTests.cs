using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Infrastructure;
using LiteDB;

namespace DeviseWeb.Tests.Storage;

public sealed class ModelRepositoryTests
{
    [Fact]
    public async Task Find_VersionSavedBeforeTheTransferOptions_ReadsAsPlainDevise()
    {
        await using var engine = await EngineHost.StartEmptyAsync();
        var models = engine.Get<ModelRepository>();
        var legacy = models.Add(new ModelRecord { Options = new TrainingOptions(), Completed = true }, [1, 2, 3]); // OptionsVersion 0
        var current = models.Add(new ModelRecord { OptionsVersion = ModelRecord.CurrentOptionsVersion, Options = new TrainingOptions(), Completed = true }, [1]);

        Assert.Equal(0, models.Find(legacy.Id)!.Options.TransferWeight);
        Assert.Equal(new TrainingOptions().TransferWeight, models.Find(current.Id)!.Options.TransferWeight);
        Assert.Equal(0, models.All().Single(m => m.Id == legacy.Id).Options.TransferWeight);
    }

    [Fact]
    public async Task Find_VersionSavedWithOptionsThisReleaseDropped_ReadsWhatRemainsAndIsNotRetired()
    {
        // Arrange: the options document as the release before this one saved it, with every option since folded or removed.
        await using var engine = await EngineHost.StartEmptyAsync();
        var id = Insert(engine, OldOptions(("SelfTraining", true), ("AugmentedViews", 4), ("TargetTemplate", "a photo of a {0}"), ("HubnessCorrection", true)));

        // Act
        var model = engine.Get<ModelRepository>().Find(id)!;

        // Assert
        Assert.Equal((12, 512, 0.1, MappingKind.Devise, 0.5, 0.3, true), (model.Options.Epochs, model.Options.HiddenSize, model.Options.Dropout,
            model.Options.Mapping, model.Options.TransferWeight, model.Options.HypernymWeight, model.Options.AlignFeatures));
        Assert.Null(model.RetiredMethod); // those shaped training only: the head embeds as any other
        Assert.Equal(0.41, model.Evaluation!.PhotoExactPrecisionAt5!.Value);
        Assert.Single(engine.Get<ModelRepository>().All());
    }

    [Theory]
    [InlineData("NormalizeDomains", true, "per-domain normalisation")]
    [InlineData("TransferSource", "LabelVectors", "label transfer from the neighbours' label vectors")]
    [InlineData("TransferNeighbours", 25, "label transfer over 25 neighbours")]
    public async Task Find_VersionTrainedWithARetiredMethodThatShapesEmbedding_IsMarkedWithIt(string option, object value, string method)
    {
        await using var engine = await EngineHost.StartEmptyAsync();
        var id = Insert(engine, OldOptions((option, value)));

        var model = engine.Get<ModelRepository>().Find(id)!;

        Assert.StartsWith(method, model.RetiredMethod);
    }

    [Fact]
    public async Task SetEvaluation_OldVersion_ReplacesTheFiguresAndKeepsFieldsThisReleaseDoesNotMap()
    {
        await using var engine = await EngineHost.StartEmptyAsync();
        var id = Insert(engine, OldOptions(("NormalizeDomains", true)));
        var report = new EvaluationReport { ImageCount = 7, PhotoExactPrecisionAt5 = new Metric(0.5, 0.1, 3) };

        engine.Get<ModelRepository>().SetEvaluation(id, report);

        var model = engine.Get<ModelRepository>().Find(id)!;
        Assert.Equal(report, model.Evaluation);
        Assert.NotNull(model.RetiredMethod); // the stored options that say so are still there
    }

    [Fact]
    public async Task ReserveId_ReservedThenAbandoned_IsNeverGivenAgainAlsoAfterReopening()
    {
        string directory = TestData.NewTemporaryDirectory("reserve-id");
        try
        {
            int first, abandoned, saved;
            await using (var engine = await EngineHost.StartAsync(directory))
            {
                var models = engine.Get<ModelRepository>();
                first = models.ReserveId();
                saved = models.Add(new ModelRecord { Id = first, Options = new TrainingOptions(), Completed = true }, [1]).Id;
                abandoned = models.ReserveId(); // a run cancelled after reserving it saves nothing
            }

            await using var reopened = await EngineHost.StartAsync(directory);
            int next = reopened.Get<ModelRepository>().ReserveId();

            Assert.Equal((1, 1, 2), (first, saved, abandoned));
            Assert.Equal(3, next);
            Assert.Equal([1], reopened.Get<ModelRepository>().All().Select(m => m.Id));
        }
        finally { TemplateData.DeleteQuietly(directory); }
    }

    [Fact]
    public async Task ReserveId_StoreFromBeforeReservations_StartsAfterItsHighestVersion()
    {
        await using var engine = await EngineHost.StartEmptyAsync();
        var ids = Enumerable.Range(0, 3).Select(_ => Insert(engine, OldOptions())).ToList(); // NextModelId stays 0, as an older release left it

        int reserved = engine.Get<ModelRepository>().ReserveId();

        Assert.Equal([1, 2, 3], ids);
        Assert.Equal(4, reserved);
    }

    [Fact]
    public async Task ReserveId_VersionSavedWithoutAReservation_IsNeverGivenAgain()
    {
        // An older release run on the store meanwhile numbers its version from the highest stored one, not from the reservations.
        await using var engine = await EngineHost.StartEmptyAsync();
        var models = engine.Get<ModelRepository>();
        models.Add(new ModelRecord { Id = models.ReserveId(), Options = new TrainingOptions(), Completed = true }, [1]);
        int older = Insert(engine, OldOptions());

        int reserved = models.ReserveId();
        models.Add(new ModelRecord { Id = reserved, Options = new TrainingOptions(), Completed = true }, [1]);

        Assert.Equal(2, older);
        Assert.Equal(3, reserved);
        Assert.Equal([1, 2, 3], models.All().Select(m => m.Id));
    }

    /// <summary>A version's options as the previous release stored them: every field it had, defaults unless given.</summary>
    internal static BsonDocument OldOptions(params (string Name, object Value)[] changes)
    {
        var options = new BsonDocument
        {
            ["Epochs"] = 12, ["LearningRate"] = 0.002, ["BatchSize"] = 64, ["WeightDecay"] = 0.01, ["HiddenSize"] = 512, ["Dropout"] = 0.1,
            ["HeldOutLabelCount"] = 10, ["HeldOutLabels"] = new BsonArray(), ["ValidationFraction"] = 0.25, ["Seed"] = 42, ["Mapping"] = "Devise",
            ["ConseTop"] = 10, ["TransferWeight"] = 0.5, ["TransferNeighbours"] = 10, ["TransferTemperature"] = 0.05, ["TransferSource"] = "HeadEmbeddings",
            ["HypernymWeight"] = 0.3, ["TargetTemplate"] = "{0}", ["AlignFeatures"] = true, ["NormalizeDomains"] = false, ["SelfTraining"] = false,
            ["AugmentedViews"] = 0, ["ViewBackground"] = "White", ["HubnessCorrection"] = false, ["EvaluatePhotos"] = true, ["Activate"] = true,
        };
        foreach (var (name, value) in changes) options[name] = new BsonMapper().Serialize(value.GetType(), value);
        return options;
    }

    /// <summary>Inserts a completed version document as the previous release wrote it; returns its id.</summary>
    internal static int Insert(EngineHost engine, BsonDocument options, BsonDocument? domainScaling = null)
    {
        var lite = engine.Get<DeviseDatabase>().Lite;
        var document = new BsonDocument
        {
            ["OptionsVersion"] = 1, ["CreatedUtc"] = DateTime.UtcNow, ["Options"] = options, ["Backbone"] = "ResNet18:512", ["TextEncoder"] = "all-MiniLM-L6-v2",
            ["Architecture"] = "old", ["FeatureDimension"] = 512, ["EmbeddingDimension"] = 384, ["Labels"] = new BsonArray(), ["HeldOutLabels"] = new BsonArray(),
            ["TrainImageIds"] = new BsonArray(), ["ValidationImageIds"] = new BsonArray(), ["HeldOutImageIds"] = new BsonArray(), ["ClassLabels"] = new BsonArray(),
            ["DomainScaling"] = domainScaling ?? BsonValue.Null, ["History"] = new BsonArray(), ["DurationSeconds"] = 9.5, ["Completed"] = true,
            ["Evaluation"] = new BsonDocument { ["PhotoExactPrecisionAt5"] = new BsonDocument { ["Value"] = 0.41, ["Chance"] = 0.015, ["Count"] = 220, ["Best"] = 1.0 }, ["PhotoImageCount"] = 337 },
        };
        return lite.GetCollection("models", BsonAutoId.Int32).Insert(document).AsInt32;
    }
}
