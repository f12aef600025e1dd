using DeviseWeb.Engine.Search;
using Microsoft.AspNetCore.Components;

namespace DeviseWeb.Components.Shared;

/// <summary>Search hits as a thumbnail grid, best first, each card with its score (data-testid="result").</summary>
public sealed partial class ResultsGrid
{
    /// <summary>The hits to show, best first. Default empty.</summary>
    [Parameter] public IReadOnlyList<SearchHit> Hits { get; set; } = [];

    /// <summary>Shown when there are no hits. Default "No images match; lower the minimum score or try other words."</summary>
    [Parameter] public string EmptyText { get; set; } = "No images match; lower the minimum score or try other words.";
}
