using System.Text.Json.Serialization;
using DeviseWeb.Engine.Gallery;

namespace DeviseWeb.Engine.Search;

/// <summary>The limits every entry point (API, page, share link, CLI) applies to a search, in one place.</summary>
public static class SearchLimits
{
    public const int DefaultK = 24;
    public const int MaxK = 1000;
    /// <summary>Phrases, gallery images and reference photos one query may combine.</summary>
    public const int MaxParts = 20;
    public const int MaxPhraseLength = 200;
    /// <summary>Queries one batch may hold.</summary>
    public const int MaxBatch = 1000;
}

// NaN (a diverged run saved before training refused one) is written as "NaN" rather than failing the whole response.
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record SearchHit(ImageInfo Image, float Score);

[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record KeywordHit(string Word, float Score);

/// <summary>
/// Any mix of phrases, gallery images and uploaded reference images: the query vector is the normalised
/// sum of their unit vectors ("engine" + "boat", a photo + "at night").
/// </summary>
public sealed record SearchQuery
{
    public IReadOnlyList<string> Texts { get; init; } = [];
    public IReadOnlyList<int> ImageIds { get; init; } = [];
    /// <summary>Content hashes returned by <see cref="ReferencePhotos.StoreAsync"/>.</summary>
    public IReadOnlyList<string> ReferenceHashes { get; init; } = [];
    public int K { get; init; } = SearchLimits.DefaultK;
    /// <summary>Drop results scoring below this cosine.</summary>
    public float MinScore { get; init; } = -1f;
    /// <summary>Search under this model version instead of the active one, so a shared link keeps its results.</summary>
    public int? ModelId { get; init; }
    /// <summary>Leave the query's own gallery images out of the results.</summary>
    public bool ExcludeQueryImages { get; init; }

    public bool IsEmpty => Texts.Count == 0 && ImageIds.Count == 0 && ReferenceHashes.Count == 0;

    /// <summary>Every problem with the query, each naming its part; empty when it can run.</summary>
    public IEnumerable<string> Problems()
    {
        if (IsEmpty) yield return "Empty query: give words, an image or both.";
        if (K is < 1 or > SearchLimits.MaxK) yield return $"k must be between 1 and {SearchLimits.MaxK}.";
        if (MinScore is < -1f or > 1f || float.IsNaN(MinScore)) yield return "The score cutoff must be between -1 and 1.";
        if (Texts.Count + ImageIds.Count + ReferenceHashes.Count > SearchLimits.MaxParts)
            yield return $"A query may combine at most {SearchLimits.MaxParts} phrases and images.";
        if (Texts.Any(t => t.Length > SearchLimits.MaxPhraseLength))
            yield return $"A phrase may have at most {SearchLimits.MaxPhraseLength} characters.";
    }
}

public sealed record SearchResult(IReadOnlyList<SearchHit> Hits, int ModelId);
