using LiteDB;

namespace DeviseWeb.Engine.Storage;

/// <summary>Model version records, their weights (LiteDB file storage) and which one is active.</summary>
public sealed class ModelRepository(DeviseDatabase database)
{
    private ILiteCollection<ModelRecord> Models => database.Collection<ModelRecord>("models");
    // Read as documents: a version saved by an older release may hold fields this one no longer maps, which say how it embeds.
    private ILiteCollection<BsonDocument> Documents => database.Lite.GetCollection("models");
    private ILiteCollection<SettingsRecord> Settings => database.Collection<SettingsRecord>("settings");

    public ModelRecord? Find(int id) => Documents.FindById(id) is { } document && document["Completed"] == true ? Read(document) : null;

    public IReadOnlyList<ModelRecord> All() => Documents.Find(Query.EQ("Completed", true)).Select(Read).OrderBy(m => m.Id).ToList();

    private ModelRecord Read(BsonDocument document)
    {
        var model = database.Lite.Mapper.ToObject<ModelRecord>(document);
        model.RetiredMethod = RetiredMethodOf(document);
        // A version saved before the transfer options existed was plain DeViSE: its stored options lack them, and
        // reading would fill in today's defaults (label transfer, hypernym targets, CORAL), embedding new images unlike its stored ones.
        if (model.OptionsVersion < ModelRecord.CurrentOptionsVersion)
            model.Options = model.Options with { TransferWeight = 0, HypernymWeight = 0, AlignFeatures = false };
        return model;
    }

    /// <summary>
    /// A method a stored version was trained with that this release no longer has and that shaped how it embeds, or
    /// null. Methods that only shaped training (self-training, augmented views, a prompt template, CSLS in its
    /// evaluation) left a head that embeds as any other; these did not: without them new images would land elsewhere
    /// than the gallery's stored vectors.
    /// </summary>
    private static string? RetiredMethodOf(BsonDocument model)
    {
        var options = model["Options"].IsDocument ? model["Options"].AsDocument : new BsonDocument();
        if (model["DomainScaling"].IsDocument || options["NormalizeDomains"] == true) return "per-domain normalisation";
        if (options["Mapping"] == "ConSE" && Number(options, "ConseTop", 10) != 10)
            return $"ConSE over its top {Number(options, "ConseTop", 10)} labels (this release combines 10)";
        bool transfer = Number(model, "OptionsVersion", 0) >= ModelRecord.CurrentOptionsVersion && Number(options, "TransferWeight", 0) > 0;
        if (!transfer) return null;
        if (options["TransferSource"] == "LabelVectors") return "label transfer from the neighbours' label vectors (this release averages their embeddings)";
        double neighbours = Number(options, "TransferNeighbours", 10), temperature = Number(options, "TransferTemperature", 0.05);
        return neighbours != 10 || Math.Abs(temperature - 0.05) > 1e-9
            ? $"label transfer over {neighbours} neighbours at temperature {temperature} (this release uses 10 at 0.05)"
            : null;
    }

    private static double Number(BsonDocument document, string name, double absent) => document[name].IsNumber ? document[name].AsDouble : absent;

    /// <summary>
    /// A new version's id, never given before, reserved in a small write of its own, so that its vectors can be written
    /// under its column before the version itself is saved. Ids never go back: a run cancelled after reserving one leaves
    /// a gap, as a deleted image leaves its id. Above every stored version too, whoever numbered it: a store from before
    /// reservations, or one an older release saved a version to since (it numbers from the highest stored id).
    /// </summary>
    public int ReserveId() => database.Write(() =>
    {
        var settings = Settings.FindById(SettingsRecord.SettingsKey) ?? new SettingsRecord();
        int highest = Models.Query().OrderByDescending(x => x.Id).Select(x => x.Id).FirstOrDefault();
        settings.NextModelId = Math.Max(settings.NextModelId, highest + 1);
        int id = settings.NextModelId++;
        Settings.Upsert(settings);
        return id;
    });

    /// <summary>Saves a finished model's record and weights together (under its reserved id, or a new one when it has none).</summary>
    public ModelRecord Add(ModelRecord model, byte[] weights) => database.Write(() =>
    {
        Models.Insert(model);
        using var stream = new MemoryStream(weights);
        database.Lite.FileStorage.Upload(WeightsKey(model.Id), $"model-{model.Id}.bin", stream);
        return model;
    });

    /// <summary>Replaces a version's figures (the eval job's), leaving the rest of its stored document as it was.</summary>
    public void SetEvaluation(int modelId, Evaluation.EvaluationReport report) => database.Write(() =>
    {
        var document = Documents.FindById(modelId) ?? throw new NotFoundException($"No model version {modelId}.");
        document["Evaluation"] = database.Lite.Mapper.ToDocument(report);
        Documents.Update(document);
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
