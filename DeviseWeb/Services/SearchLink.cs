using System.Globalization;
using System.Text;
using DeviseWeb.Engine.Search;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace DeviseWeb.Services;

/// <summary>
/// The whole search as a URL, shared by the /search page and GET /api/search:
/// <c>q</c> (repeatable; a value may also hold several comma-separated phrases — the page writes one q per phrase),
/// <c>img</c> (repeatable gallery image ids), <c>ref</c> (repeatable reference-photo content hashes),
/// <c>k</c> (1–<see cref="SearchLimits.MaxK"/>, default <see cref="SearchLimits.DefaultK"/>), <c>min</c> (score cutoff,
/// −1–1) and <c>model</c> (the model version that produced the results, so a shared link reproduces them after a newer
/// model is activated). The limits are the engine's <see cref="SearchLimits"/>, the same for every entry point.
/// </summary>
public sealed record SearchLink
{
    public const string PagePath = "/search";

    public IReadOnlyList<string> Texts { get; init; } = [];
    public IReadOnlyList<int> ImageIds { get; init; } = [];
    public IReadOnlyList<string> References { get; init; } = [];
    public int K { get; init; } = SearchLimits.DefaultK;
    public float? MinScore { get; init; }
    public int? ModelId { get; init; }

    public bool IsEmpty => Texts.Count == 0 && ImageIds.Count == 0 && References.Count == 0;

    /// <summary>Same words, images and reference photos (k, min and model aside).</summary>
    public bool SameQueryAs(SearchLink other) =>
        Texts.SequenceEqual(other.Texts) && ImageIds.SequenceEqual(other.ImageIds) && References.SequenceEqual(other.References);

    /// <summary>The engine query; a searched gallery image is left out of its own results.</summary>
    public SearchQuery ToQuery() => new()
    {
        Texts = Texts, ImageIds = ImageIds, ReferenceHashes = References, K = K,
        MinScore = MinScore ?? -1f, ModelId = ModelId, ExcludeQueryImages = ImageIds.Count > 0,
    };

    /// <summary>Relative URL of the search page for this query, e.g. /search?q=boat&amp;k=24&amp;model=3.</summary>
    public string ToUrl(string path = PagePath)
    {
        var query = new StringBuilder();
        void Add(string name, string value) =>
            query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        foreach (var text in Texts) Add("q", text);
        foreach (var id in ImageIds) Add("img", id.ToString(CultureInfo.InvariantCulture));
        foreach (var hash in References) Add("ref", hash);
        Add("k", K.ToString(CultureInfo.InvariantCulture));
        if (MinScore is { } min) Add("min", min.ToString(CultureInfo.InvariantCulture));
        if (ModelId is { } model) Add("model", model.ToString(CultureInfo.InvariantCulture));
        return path + query;
    }

    /// <summary>Parses the query part of an absolute or relative URI.</summary>
    public static SearchLinkParseResult FromUri(string uri)
    {
        int mark = uri.IndexOf('?');
        return Parse(mark < 0 ? [] : QueryHelpers.ParseQuery(uri[mark..]));
    }

    /// <summary>Reads q, img, ref, k, min and model; every malformed parameter yields a message naming it.</summary>
    public static SearchLinkParseResult Parse(IEnumerable<KeyValuePair<string, StringValues>> parameters)
    {
        var values = parameters.ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
        StringValues Get(string name) => values.TryGetValue(name, out var v) ? v : StringValues.Empty;
        var errors = new List<string>();

        var texts = Get("q").SelectMany(v => (v ?? "").Split(',')).Select(t => t.Trim()).Where(t => t.Length > 0).Distinct().ToList();
        if (texts.Any(t => t.Length > SearchLimits.MaxPhraseLength)) errors.Add($"q: a phrase may have at most {SearchLimits.MaxPhraseLength} characters.");

        var ids = new List<int>();
        foreach (var raw in Get("img"))
            if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out int id) && id > 0) { if (!ids.Contains(id)) ids.Add(id); }
            else errors.Add($"img: '{raw}' is not an image id (a positive whole number).");

        var references = new List<string>();
        foreach (var raw in Get("ref"))
        {
            var hash = (raw ?? "").Trim().ToLowerInvariant();
            if (hash.Length == 64 && hash.All(char.IsAsciiHexDigitLower)) { if (!references.Contains(hash)) references.Add(hash); }
            else errors.Add($"ref: '{raw}' is not a reference photo hash (64 hex digits).");
        }
        if (texts.Count + ids.Count + references.Count > SearchLimits.MaxParts)
            errors.Add($"A query may combine at most {SearchLimits.MaxParts} phrases and images.");

        int k = SearchLimits.DefaultK;
        if (Get("k") is { Count: > 0 } kValues && !string.IsNullOrWhiteSpace(kValues[^1]))
            if (!int.TryParse(kValues[^1], NumberStyles.Integer, CultureInfo.InvariantCulture, out k) || k is < 1 or > SearchLimits.MaxK)
            {
                errors.Add($"k: '{kValues[^1]}' must be a whole number between 1 and {SearchLimits.MaxK}.");
                k = SearchLimits.DefaultK;
            }

        float? min = null;
        if (Get("min") is { Count: > 0 } minValues && !string.IsNullOrWhiteSpace(minValues[^1]))
        {
            if (float.TryParse(minValues[^1], NumberStyles.Float, CultureInfo.InvariantCulture, out float parsed) && parsed is >= -1f and <= 1f) min = parsed;
            else errors.Add($"min: '{minValues[^1]}' must be a score between -1 and 1.");
        }

        int? model = null;
        if (Get("model") is { Count: > 0 } modelValues && !string.IsNullOrWhiteSpace(modelValues[^1]))
        {
            if (int.TryParse(modelValues[^1], NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) && parsed > 0) model = parsed;
            else errors.Add($"model: '{modelValues[^1]}' is not a model version (a positive whole number).");
        }

        var link = new SearchLink { Texts = texts, ImageIds = ids, References = references, K = k, MinScore = min, ModelId = model };
        return new SearchLinkParseResult(link, errors);
    }
}

public sealed record SearchLinkParseResult(SearchLink Link, IReadOnlyList<string> Errors)
{
    public bool IsValid => Errors.Count == 0;
}
