using DeviseWeb.Engine.Gallery;
using Microsoft.AspNetCore.Components;

namespace DeviseWeb.Components.Pages.Training;

/// <summary>What training would learn from: images, labels (largest first, filterable) and the active model's held-out labels.</summary>
public sealed partial class DatasetPanel
{
    private string? _filter;

    /// <summary>The dataset to describe. Default: empty.</summary>
    [Parameter] public DatasetSummary Summary { get; set; } = new(0, [], []);

    /// <summary>Most label chips shown at once. Default 40.</summary>
    [Parameter] public int MaxLabels { get; set; } = 40;

    private IEnumerable<LabelCount> Matches => Summary.Labels
        .Where(l => string.IsNullOrWhiteSpace(_filter) || l.Label.Contains(_filter.Trim(), StringComparison.OrdinalIgnoreCase));

    private int MatchCount => Matches.Count();

    private List<LabelCount> VisibleLabels => Matches.OrderByDescending(l => l.Count).ThenBy(l => l.Label, StringComparer.Ordinal).Take(MaxLabels).ToList();

    private static string LabelUrl(string label) => $"?label={Uri.EscapeDataString(label)}";
}
