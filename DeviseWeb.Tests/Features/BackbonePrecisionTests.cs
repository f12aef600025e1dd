using DeviseWeb.Engine;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Features;

/// <summary><see cref="EngineOptions.BackbonePrecision"/>: the int8 backbone behind the engine, and a store keeping the precision it was imported with.</summary>
public sealed class BackbonePrecisionTests
{
    [Fact]
    public async Task Import_Int8Precision_StoresInt8FeaturesAndSearches()
    {
        await using var engine = await EngineHost.StartEmptyAsync(o => o.BackbonePrecision = BackbonePrecision.Int8);

        var imported = await engine.ImportAsync(TestData.CopySubset(["cat", "dog", "fish"]));
        await engine.TrainAsync(new TrainingOptions { Epochs = 3, HeldOutLabelCount = 0 });
        var first = engine.Get<GalleryService>().List(new ImageQuery(Take: 1)).Items[0];
        var similar = await engine.Get<SearchService>().SearchSimilarAsync(first.Id, k: 3);
        var text = await engine.Get<SearchService>().SearchTextAsync("cat", k: 3);

        var features = engine.Get<FeatureStore>();
        Assert.Equal("ResNet18-int8:512", features.Backbone);
        Assert.Equal(imported.Added, features.Count);
        Assert.True(File.Exists(Path.Combine(engine.DataDirectory, "backbones", "ResNet18-int8.onnx")));
        Assert.Equal(3, similar.Hits.Count);
        Assert.Equal(3, text.Hits.Count);
    }

    [Theory]
    [InlineData(BackbonePrecision.Int8, BackbonePrecision.Float)]
    [InlineData(BackbonePrecision.Float, BackbonePrecision.Int8)]
    public async Task OpenFeatures_StoreImportedAtTheOtherPrecision_RefusesWithTheSettingToChange(BackbonePrecision imported, BackbonePrecision reopened)
    {
        string directory = TestData.NewTemporaryDirectory("precision");
        await using (var engine = await EngineHost.StartAsync(directory, o => o.BackbonePrecision = imported))
            await engine.ImportAsync(TestData.CopySubset(["cat"]));

        await using var other = await EngineHost.StartAsync(directory, o => o.BackbonePrecision = reopened);
        var error = Assert.Throws<ConflictException>(() => other.Get<FeatureStore>().Count);

        Assert.Contains($"Devise:BackbonePrecision is {reopened}", error.Message);
        Assert.Contains($"set it back to {imported}", error.Message);
    }

    [Fact]
    public async Task OpenFeatures_EmptyStoreOfTheOtherPrecision_OpensItsOwnColumn()
    {
        string directory = TestData.NewTemporaryDirectory("precision");
        await using (var engine = await EngineHost.StartAsync(directory))
            Assert.Equal(0, engine.Get<FeatureStore>().Count);

        await using var int8 = await EngineHost.StartAsync(directory, o => o.BackbonePrecision = BackbonePrecision.Int8);

        Assert.Equal("ResNet18-int8:512", int8.Get<FeatureStore>().Backbone);
    }
}
