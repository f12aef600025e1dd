using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Infrastructure;

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
}
