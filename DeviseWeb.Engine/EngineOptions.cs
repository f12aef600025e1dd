using Microsoft.Extensions.Options;

namespace DeviseWeb.Engine;

/// <summary>Where the engine keeps its data and which pretrained models it runs. Bound from configuration section "Devise".</summary>
public sealed class EngineOptions
{
    public const string SectionName = "Devise";

    /// <summary>Folder for the LiteDB file, original images, thumbnails and the vocabulary cache. Default ./devise-data.</summary>
    public string DataDirectory { get; set; } = "./devise-data";

    /// <summary>Image backbone: an ONNX model that maps a preprocessed image to one feature vector. Default: the packaged ResNet18.</summary>
    public string BackboneModelPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");

    /// <summary>ONNX preprocessing run before the backbone (RGB 0–255 → BGR minus mean image). Empty: none.</summary>
    public string PreprocessModelPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNetPrepOnnx", "ResNetPreprocess.onnx");

    /// <summary>
    /// Float (default) runs the backbone model as it is; Int8 runs an int8 model made from it and the calibration
    /// ranges beside it (&lt;model&gt;.int8-ranges.json), written to &lt;data&gt;/backbones at first use. The two give
    /// different features, so a store keeps the precision it was imported with: switching one that holds features is
    /// refused (import into a new data directory instead).
    /// </summary>
    public Features.BackbonePrecision BackbonePrecision { get; set; } = Features.BackbonePrecision.Float;

    /// <summary>Side of the square image the backbone takes. Default 224.</summary>
    public int BackboneInputSize { get; set; } = 224;

    /// <summary>WordNet's noun index, the keyword vocabulary. A missing file leaves only the dataset's labels.</summary>
    public string VocabularyPath { get; set; } = "/usr/share/wordnet/index.noun";

    /// <summary>Use at most this many vocabulary words (0: all). Tests keep it small.</summary>
    public int VocabularyLimit { get; set; }

    /// <summary>Files larger than this are rejected before decoding. Default 50 MB.</summary>
    public long MaxFileBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>Images with more pixels than this are rejected before decoding. Default 40 megapixels.</summary>
    public long MaxPixels { get; set; } = 40_000_000;

    /// <summary>Longest side of stored thumbnails. Default 256.</summary>
    public int ThumbnailSize { get; set; } = 256;

    /// <summary>
    /// Threads ONNX Runtime may use inside one inference (0: its default). Default 1: on 2 cores, two
    /// single-threaded inferences side by side ran ~2× faster than one inference on both cores.
    /// </summary>
    public int InferenceThreads { get; set; } = 1;

    /// <summary>Rows a vector column collects before they are sealed into a segment file. Default 16,384.</summary>
    public int VectorSealRows { get; set; } = 16_384;

    /// <summary>Older model versions kept loaded for share links pinned to them (least recently used go first). Default 2.</summary>
    public int PinnedModelCacheSize { get; set; } = 2;

    /// <summary>Reference photos kept for search at most; the least recently used beyond it are deleted. Default 500.</summary>
    public int ReferencePhotoLimit { get; set; } = 500;

    /// <summary>Days a reference photo is kept after its last use. Default 30.</summary>
    public int ReferencePhotoDays { get; set; } = 30;

    /// <summary>
    /// How background jobs (training, evaluation, imports, the vocabulary) compete with requests for the CPU. Default
    /// Idle: they get what requests and every other process leave, so a machine kept busy without a pause holds a
    /// job back until it quiets (scripts/load.sh; docs/speed.md "Under load"). Low (nice 10) keeps a job moving at a
    /// small share; Normal competes as equals. The CLI runs its jobs at Normal unless told otherwise.
    /// </summary>
    public Jobs.JobCpuPriority JobCpuPriority { get; set; } = Jobs.JobCpuPriority.Idle;

    /// <summary>Jobs that can wait in the queue at once. Default 16.</summary>
    public int JobQueueCapacity { get; set; } = 16;

    /// <summary>Finished jobs kept in the history. Default 200.</summary>
    public int JobHistoryLimit { get; set; } = 200;

    /// <summary>Images wider or taller than this are rejected before decoding, whatever their pixel count. Default 30,000.</summary>
    public int MaxImageSide { get; set; } = 30_000;

    /// <summary>Images decoded at once, across imports, uploads and searches (0: one per processor). Bounds decode memory under load.</summary>
    public int MaxConcurrentDecodes { get; set; }

    /// <summary>Seconds one decode may take before the file is rejected as too slow to decode. Default 10.</summary>
    public double DecodeTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Bytes kept free on the data directory's disk: an image or model write that would eat into them is refused
    /// before anything is written (0: no check). Default 64 MB.
    /// </summary>
    public long DiskReserveBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Where the vectors live: in process (default) or PostgreSQL with pgvector. Section "Devise:Index".</summary>
    public Search.Index.IndexSettings Index { get; set; } = new();

    internal string DatabasePath => Path.Combine(DataDirectory, "devise.db");
    /// <summary>Where the int8 backbone is written: made again from the packaged model whenever missing, never backed up.</summary>
    internal string GeneratedBackbonesDirectory => Path.Combine(DataDirectory, "backbones");

    /// <summary>
    /// Names the backbone the features come from, as the features column's name begins: the model file's name, with
    /// "-int8" for <see cref="Features.BackbonePrecision.Int8"/> (the int8 model's own file name).
    /// </summary>
    internal string BackboneName => BackboneNameFor(BackbonePrecision);

    internal string BackboneNameFor(Features.BackbonePrecision precision) =>
        Path.GetFileNameWithoutExtension(BackboneModelPath) + (precision == Features.BackbonePrecision.Int8 ? Features.Quantization.Int8Backbone.FileSuffix : "");
    internal string ImagesDirectory => Path.Combine(DataDirectory, "images");
    internal string ReferencesDirectory => Path.Combine(DataDirectory, "references");
    internal string VocabularyCachePath => Path.Combine(DataDirectory, "vocabulary-minilm.bin");
    /// <summary>The everyday words judged against the evaluation set, copied from the last dataset imported with them.</summary>
    internal string EverydayWordsPath => Path.Combine(DataDirectory, Evaluation.EverydayWords.FileName);
}

/// <summary>The allowed range of each <see cref="EngineOptions"/> setting; every host checks them when it starts.</summary>
internal sealed class EngineOptionsValidation : IValidateOptions<EngineOptions>
{
    public ValidateOptionsResult Validate(string? name, EngineOptions options)
    {
        var check = new SettingChecks(EngineOptions.SectionName);
        check.NotEmpty(nameof(options.DataDirectory), options.DataDirectory, "a folder");
        check.NotEmpty(nameof(options.BackboneModelPath), options.BackboneModelPath, "an ONNX model file");
        check.Require(Enum.IsDefined(options.BackbonePrecision), nameof(options.BackbonePrecision), $"'{options.BackbonePrecision}'", "Float or Int8");
        if (options.BackbonePrecision == Features.BackbonePrecision.Int8)
            check.NotEmpty(nameof(options.PreprocessModelPath), options.PreprocessModelPath, "the packaged preprocessing model (BackbonePrecision Int8 folds it into the int8 model)");
        check.Range(nameof(options.BackboneInputSize), options.BackboneInputSize, 1, 4096);
        check.Range(nameof(options.VocabularyLimit), options.VocabularyLimit, 0, long.MaxValue);
        // A file is read into one array.
        check.Range(nameof(options.MaxFileBytes), options.MaxFileBytes, 1, Array.MaxLength);
        check.Range(nameof(options.MaxPixels), options.MaxPixels, 1, 1_000_000_000);
        check.Range(nameof(options.ThumbnailSize), options.ThumbnailSize, 1, 4096);
        check.Range(nameof(options.InferenceThreads), options.InferenceThreads, 0, 1024);
        check.Range(nameof(options.VectorSealRows), options.VectorSealRows, 1, 10_000_000);
        check.Range(nameof(options.PinnedModelCacheSize), options.PinnedModelCacheSize, 0, 100);
        check.Range(nameof(options.ReferencePhotoLimit), options.ReferencePhotoLimit, 1, 1_000_000);
        check.Range(nameof(options.ReferencePhotoDays), options.ReferencePhotoDays, 1, 36_500);
        check.Range(nameof(options.JobQueueCapacity), options.JobQueueCapacity, 1, 10_000);
        check.Range(nameof(options.JobHistoryLimit), options.JobHistoryLimit, 1, 1_000_000);
        check.Range(nameof(options.MaxImageSide), options.MaxImageSide, 1, 1_000_000);
        check.Range(nameof(options.MaxConcurrentDecodes), options.MaxConcurrentDecodes, 0, 1024);
        check.Range(nameof(options.DecodeTimeoutSeconds), options.DecodeTimeoutSeconds, 0.001, 3600);
        check.Range(nameof(options.DiskReserveBytes), options.DiskReserveBytes, 0, long.MaxValue);
        var index = options.Index;
        if (index.Provider == Search.Index.IndexProvider.Pgvector)
        {
            check.NotEmpty("Index:ConnectionString", index.ConnectionString, "a PostgreSQL connection string (the Pgvector provider needs one)");
            check.Require(System.Text.RegularExpressions.Regex.IsMatch(index.Schema ?? "", "^[a-z_][a-z0-9_]{0,39}$"), "Index:Schema", $"'{index.Schema}'",
                "lower-case letters, digits and underscores, starting with a letter (at most 40)");
        }
        check.Range("Index:EfSearch", index.EfSearch, 1, 1000);
        check.Range("Index:WriteBatchRows", index.WriteBatchRows, 1, 100_000);
        check.Range("Index:CommandTimeoutSeconds", index.CommandTimeoutSeconds, 1, 3600);
        return check.Result;
    }
}
