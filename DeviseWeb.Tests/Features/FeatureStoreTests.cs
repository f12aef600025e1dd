using DeviseWeb.Engine;
using DeviseWeb.Engine.Features;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Features;

public sealed class FeatureStoreTests
{
    [Fact]
    public async Task Extractor_BackboneMissingAtFirstUse_LoadsOnceTheFileIsInPlace()
    {
        string packaged = new EngineOptions().BackboneModelPath;
        string backbone = Path.Combine(TestData.NewTemporaryDirectory("backbone"), Path.GetFileName(packaged));
        await using var engine = await EngineHost.StartEmptyAsync(o => o.BackboneModelPath = backbone);
        var features = engine.Get<FeatureStore>();
        Assert.Throws<FileNotFoundException>(() => features.Extractor);

        File.Copy(packaged, backbone);

        Assert.Equal(512, features.Extractor.Dimension);
    }
}
