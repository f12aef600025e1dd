namespace DeviseWeb.Engine.Storage;

public enum StoreProblemKind
{
    /// <summary>An image's original file is gone. Repair drops the image.</summary>
    MissingOriginal,
    /// <summary>An image's original does not hash to its content hash. Repair drops the image.</summary>
    CorruptOriginal,
    /// <summary>An image has no thumbnail. Repair makes it again from the original.</summary>
    MissingThumbnail,
    /// <summary>An image has no backbone features. Repair runs the backbone on the original again.</summary>
    MissingFeatures,
    /// <summary>An image has features but no embedding under the active model version. Repair embeds it.</summary>
    MissingEmbedding,
    /// <summary>An original file no image uses. Repair deletes it.</summary>
    OrphanOriginal,
    /// <summary>A half-written file. Repair deletes it.</summary>
    TemporaryFile,
    /// <summary>A label's kept count is not the number of its images. Repair counts again.</summary>
    LabelCount,
    /// <summary>
    /// A vector row (features, or an embedding under the active version) of an id no image has: left between the store
    /// and PostgreSQL (a backup of one restored beside a later one of the other, say). Repair deletes it.
    /// </summary>
    StrayVector,
}

/// <summary>One thing wrong in a store: what, about which image (its id) or file, and what a repair did about it (null: nothing yet).</summary>
public sealed record StoreProblem(StoreProblemKind Kind, string Subject, string Detail, int? ImageId = null, string? Repair = null);

/// <summary>
/// A whole-store check: every problem found (with its repair, when one was asked for and worked), and what opening the
/// store had already cleaned up on its own after a crash.
/// </summary>
public sealed record StoreReport(
    int ImagesChecked,
    int? ActiveModelId,
    IReadOnlyList<StoreProblem> Problems,
    StoreSweepResult CleanedAtOpen,
    TimeSpan Elapsed)
{
    /// <summary>Nothing wrong was found.</summary>
    public bool Clean => Problems.Count == 0;

    /// <summary>Problems that are still there (every one, unless a repair ran).</summary>
    public int Unrepaired => Problems.Count(p => p.Repair is null);
}
