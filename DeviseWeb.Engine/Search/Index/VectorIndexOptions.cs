using TorchSharp;

namespace DeviseWeb.Engine.Search.Index;

/// <summary>How an <see cref="InProcessVectorIndex"/> scans its vectors.</summary>
public enum ScanBackend
{
    /// <summary>Tensors when <see cref="VectorIndexOptions.Device"/> is CUDA, else SIMD.</summary>
    Auto,

    /// <summary>SIMD kernels on all cores: int8 shortlist re-ranked in fp32 (quantized) or fp32. Never loads libtorch.</summary>
    Simd,

    /// <summary>Per-segment fp32 tensors on <see cref="VectorIndexOptions.Device"/> (CPU when none): exact, no int8.</summary>
    Tensor,
}

/// <summary>Settings of one <see cref="InProcessVectorIndex"/>; every value has a working default.</summary>
public sealed record VectorIndexOptions
{
    public static readonly VectorIndexOptions Default = new();

    /// <summary>Rows the tail takes before it is sealed into a segment. Default 16,384.</summary>
    public int SealRows { get; init; } = 16_384;

    /// <summary>Removed share of a segment's rows past which it is compacted in the background. Default 0.2.</summary>
    public double CompactRemovedShare { get; init; } = 0.2;

    /// <summary>Default <see cref="ScanBackend.Auto"/>.</summary>
    public ScanBackend Backend { get; init; } = ScanBackend.Auto;

    /// <summary>
    /// The torch device of the tensor backend. Default null: no tensor backend, and libtorch is never touched,
    /// because loading it costs start-up time a CPU index does not need.
    /// </summary>
    public torch.Device? Device { get; init; }

    /// <summary>
    /// An int8 scan keeps max(k × this, <see cref="MinimumShortlist"/>) candidates to re-rank exactly in fp32.
    /// Default 8.
    /// </summary>
    public int ShortlistFactor { get; init; } = 8;

    /// <summary>
    /// Default 128. On random unit vectors (1M × 384) recall@10 is 1.000 already at 16; the margin is for real
    /// embeddings, whose near neighbours crowd closer, and re-ranking 128 rows costs about 0.05 ms.
    /// </summary>
    public int MinimumShortlist { get; init; } = 128;

    /// <summary>Threads one scan uses. Default null: one per core.</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    /// <summary>Called with a background seal or compaction that failed (it is retried later). Default none.</summary>
    public Action<Exception>? BackgroundError { get; init; }

    /// <summary>Forces one int8 kernel (tests compare every variant); null picks the fastest supported.</summary>
    internal Int8KernelKind? Int8Kernel { get; init; }

    internal bool UsesTensors => Backend == ScanBackend.Tensor
        || (Backend == ScanBackend.Auto && Device is not null && Device.type == DeviceType.CUDA);

    internal void Validate()
    {
        if (SealRows < 1) throw new ArgumentOutOfRangeException(nameof(SealRows), SealRows, "At least one row.");
        if (CompactRemovedShare is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(CompactRemovedShare), CompactRemovedShare, "Between 0 and 1.");
        if (ShortlistFactor < 1) throw new ArgumentOutOfRangeException(nameof(ShortlistFactor), ShortlistFactor, "At least 1.");
        if (MinimumShortlist < 1) throw new ArgumentOutOfRangeException(nameof(MinimumShortlist), MinimumShortlist, "At least 1.");
        if (MaxDegreeOfParallelism is < 1) throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "At least 1.");
    }
}
