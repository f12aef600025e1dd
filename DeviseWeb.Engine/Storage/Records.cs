using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Engine.Storage;

/// <summary>One gallery image. Pixels live in the content-addressed file; vectors and thumbnail in their own collections.</summary>
public sealed class ImageRecord
{
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
}

/// <summary>Backbone features of one image, computed once at import so training never runs the backbone.</summary>
public sealed class FeatureRecord
{
    public int Id { get; set; }
    public string Backbone { get; set; } = "";
    public byte[] Vector { get; set; } = [];
}

public sealed class ThumbnailRecord
{
    public int Id { get; set; }
    public byte[] Jpeg { get; set; } = [];
}

/// <summary>An image's predicted text-space vector under one model version.</summary>
public sealed class EmbeddingRecord
{
    /// <summary>"{modelId}:{imageId}".</summary>
    public string Id { get; set; } = "";
    public int ModelId { get; set; }
    public int ImageId { get; set; }
    public byte[] Vector { get; set; } = [];

    public static string KeyOf(int modelId, int imageId) => $"{modelId}:{imageId}";
}

/// <summary>A trained head: its configuration, split, learning curve and evaluation. Weights are in file storage.</summary>
public sealed class ModelRecord
{
    public int Id { get; set; }
    public DateTime CreatedUtc { get; set; }
    public TrainingOptions Options { get; set; } = new();
    public string Backbone { get; set; } = "";
    public string TextEncoder { get; set; } = "";
    public string Architecture { get; set; } = "";
    public List<string> Labels { get; set; } = [];
    public List<string> HeldOutLabels { get; set; } = [];
    public List<int> TrainImageIds { get; set; } = [];
    public List<int> ValidationImageIds { get; set; } = [];
    public List<int> HeldOutImageIds { get; set; } = [];
    public List<EpochMetrics> History { get; set; } = [];
    public EvaluationReport? Evaluation { get; set; }
    public double DurationSeconds { get; set; }
    public bool Completed { get; set; }
}

public sealed class SettingsRecord
{
    public string Id { get; set; } = SettingsKey;
    public int? ActiveModelId { get; set; }
    public const string SettingsKey = "settings";
}
