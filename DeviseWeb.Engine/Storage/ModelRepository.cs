using LiteDB;

namespace DeviseWeb.Engine.Storage;

/// <summary>Model version records, their weights (LiteDB file storage) and which one is active.</summary>
public sealed class ModelRepository(DeviseDatabase database)
{
    private ILiteCollection<ModelRecord> Models => database.Collection<ModelRecord>("models");
    private ILiteCollection<SettingsRecord> Settings => database.Collection<SettingsRecord>("settings");

    public ModelRecord? Find(int id) => Models.FindById(id) is { Completed: true } model ? Upgrade(model) : null;

    public IReadOnlyList<ModelRecord> All() => Models.Find(m => m.Completed).OrderBy(m => m.Id).Select(Upgrade).ToList();

    /// <summary>
    /// A version saved before the transfer options existed was plain DeViSE: its stored options lack them, and
    /// reading would fill in today's defaults (label transfer, hypernym targets, CORAL), embedding new images unlike its stored ones.
    /// </summary>
    private static ModelRecord Upgrade(ModelRecord model)
    {
        if (model.OptionsVersion < ModelRecord.CurrentOptionsVersion)
            model.Options = model.Options with { TransferWeight = 0, HypernymWeight = 0, AlignFeatures = false, EvaluatePhotos = false };
        return model;
    }

    /// <summary>Saves a finished model's record and weights together.</summary>
    public ModelRecord Add(ModelRecord model, byte[] weights) => database.Write(() =>
    {
        Models.Insert(model);
        using var stream = new MemoryStream(weights);
        database.Lite.FileStorage.Upload(WeightsKey(model.Id), $"model-{model.Id}.bin", stream);
        return model;
    });

    public byte[]? Weights(int modelId)
    {
        var file = database.Lite.FileStorage.FindById(WeightsKey(modelId));
        if (file is null) return null;
        using var output = new MemoryStream();
        file.CopyTo(output);
        return output.ToArray();
    }

    public int? ActiveId => Settings.FindById(SettingsRecord.SettingsKey)?.ActiveModelId;

    public void SetActive(int modelId) => database.Write(() =>
    {
        var settings = Settings.FindById(SettingsRecord.SettingsKey) ?? new SettingsRecord();
        settings.ActiveModelId = modelId;
        Settings.Upsert(settings);
    });

    private static string WeightsKey(int modelId) => $"$/models/{modelId}";
}
