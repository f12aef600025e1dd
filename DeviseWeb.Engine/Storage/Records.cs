using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Engine.Storage;

/// <summary>One gallery image. Pixels live in the content-addressed file, vectors in columns, the thumbnail in its own collection.</summary>
public sealed class ImageRecord
{
    /// <summary>Assigned from a counter that never goes back, so an id is never reused after a delete.</summary>
    public int Id { get; set; }
    public string ContentHash { get; set; } = "";
    public string Label { get; set; } = "";
    public string FileName { get; set; } = "";
    /// <summary>Path of the stored copy, relative to the data directory.</summary>
    public string StoredFile { get; set; } = "";
    public int Width { get; set; }
    public int Height { get; set; }
    public long ByteCount { get; set; }
    public DateTime AddedUtc { get; set; }
    /// <summary>
    /// Evaluation-only: searchable like any image, but never trained on (not in a version's split, not in label
    /// transfer's reference); the evaluation set measures search on it. Marked at import; false in records older than the field.
    /// </summary>
    public bool Evaluation { get; set; }
}

public sealed class ThumbnailRecord
{
    public int Id { get; set; }
    public byte[] Jpeg { get; set; } = [];
}

/// <summary>How many images carry a label, kept with every change so no one counts a million records.</summary>
public sealed class LabelRecord
{
    public string Label { get; set; } = "";
    public int Count { get; set; }
}

/// <summary>A trained head: its configuration, split, learning curve and evaluation. Weights are in file storage.</summary>
public sealed class ModelRecord
{
    /// <summary>1: options include the mapping and transfer methods (label transfer, ConSE, targets, CORAL).</summary>
    public const int CurrentOptionsVersion = 1;

    public int Id { get; set; }
    /// <summary>Which generation of <see cref="TrainingOptions"/> the options were saved as; 0 for versions older than the field.</summary>
    public int OptionsVersion { get; set; }
    public DateTime CreatedUtc { get; set; }
    public TrainingOptions Options { get; set; } = new();
    public string Backbone { get; set; } = "";
    public string TextEncoder { get; set; } = "";
    public string Architecture { get; set; } = "";
    /// <summary>Width of the backbone features the head reads.</summary>
    public int FeatureDimension { get; set; } = 512;
    /// <summary>Width of the text vectors the head predicts.</summary>
    public int EmbeddingDimension { get; set; } = 384;
    public List<string> Labels { get; set; } = [];
    public List<string> HeldOutLabels { get; set; } = [];
    public List<int> TrainImageIds { get; set; } = [];
    public List<int> ValidationImageIds { get; set; } = [];
    public List<int> HeldOutImageIds { get; set; } = [];
    /// <summary>ConSE: the labels the head classifies, in output order (the training images' labels, ordinal).</summary>
    public List<string> ClassLabels { get; set; } = [];
    /// <summary>
    /// Not stored: set when the version was read, naming a method it was trained with that this release no longer has
    /// and that changes how it embeds (per-domain normalisation, say), so it can be listed but never loaded.
    /// </summary>
    [LiteDB.BsonIgnore]
    public string? RetiredMethod { get; set; }
    public List<EpochMetrics> History { get; set; } = [];
    public EvaluationReport? Evaluation { get; set; }
    public double DurationSeconds { get; set; }
    public bool Completed { get; set; }
}

/// <summary>Process-wide values: the active model, the next image id and the next model version id.</summary>
public sealed class SettingsRecord
{
    public const string SettingsKey = "settings";
    public string Id { get; set; } = SettingsKey;
    public int? ActiveModelId { get; set; }
    public int NextImageId { get; set; }
    /// <summary>0 in a store from before version ids were reserved: the first reservation starts after the highest stored one.</summary>
    public int NextModelId { get; set; }
}

/// <summary>A vector column's manifest: its width and its sealed segment files, oldest first.</summary>
public sealed class VectorColumnRecord
{
    public string Id { get; set; } = "";
    public int Dimension { get; set; }
    public bool Quantized { get; set; }
    /// <summary>Segment files, relative to the data directory.</summary>
    public List<string> Segments { get; set; } = [];
}

/// <summary>A row of a column not yet sealed into a segment file.</summary>
public sealed class VectorTailRecord
{
    /// <summary>"{column}|{imageId}".</summary>
    public string Id { get; set; } = "";
    public string Column { get; set; } = "";
    public int ImageId { get; set; }
    public byte[] Vector { get; set; } = [];

    public static string KeyOf(string column, int imageId) => $"{column}|{imageId}";
}

/// <summary>An image id removed from every column; dropped once no segment file holds its rows any more.</summary>
public sealed class RemovedIdRecord
{
    public int Id { get; set; }
}
