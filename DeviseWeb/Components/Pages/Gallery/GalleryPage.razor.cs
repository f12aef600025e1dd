using DeviseWeb.Engine;
using DeviseWeb.Engine.Training;
using DeviseWeb.Services;
using Microsoft.AspNetCore.Components;

namespace DeviseWeb.Components.Pages.Gallery;

// Contract for tests (keep these names):
//   route "/" with optional query label=<label>, split=Train|Validation|HeldOut|Unassigned, page=<1-based>
//   gallery cards: data-testid="gallery-image" with data-image-id; grid data-testid="gallery-grid"; count text data-testid="gallery-count"
//   search box: text field label/aria-label "Search", button "Search" → navigates to /search?q=<phrase>
//   filters: autocomplete "Filter by label", select "Split"
//   first-start banner: data-testid="import-banner" ("Importing the demo gallery: N / M")
//   upload: see UploadPanel.razor.cs

/// <summary>The gallery: thumbnails filtered by label and split, paged; upload on top; a search box that hands off to /search.</summary>
public sealed partial class GalleryPage : IDisposable
{
    private const int PageSize = 48;
    private const string AllSplits = "";
    private static readonly TimeSpan ImportRefreshInterval = TimeSpan.FromSeconds(1.5);

    private ImagePage _page = new([], 0);
    private IReadOnlyList<LabelCount> _labels = [];
    private string? _searchText;
    private FirstStartStatus _firstStart = new(FirstStartStage.Idle);
    private IDisposable? _firstStartSubscription;
    private DateTime _lastImportRefreshUtc;

    [Inject] private DeviseEngine Engine { get; set; } = default!;
    [Inject] private FirstStartState FirstStart { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    /// <summary>Only images with this label (query "label"). Default null: all labels.</summary>
    [SupplyParameterFromQuery(Name = "label")] public string? Label { get; set; }

    /// <summary>Only images in this split of the active model (query "split"). Default null: all.</summary>
    [SupplyParameterFromQuery(Name = "split")] public string? Split { get; set; }

    /// <summary>1-based page (query "page"). Default 1.</summary>
    [SupplyParameterFromQuery(Name = "page")] public int? PageNumber { get; set; }

    private int CurrentPage => Math.Max(1, PageNumber ?? 1);
    private int PageCount => Math.Max(1, (_page.Total + PageSize - 1) / PageSize);
    private string SplitValue => ParseSplit(Split)?.ToString() ?? AllSplits;

    private string CountText
    {
        get
        {
            string scope = string.IsNullOrEmpty(Label) && ParseSplit(Split) is null ? "" : " match";
            return $"{_page.Total:N0} image{(_page.Total == 1 ? "" : "s")}{scope} · {_labels.Count:N0} labels";
        }
    }

    protected override void OnInitialized()
    {
        _firstStart = FirstStart.Current;
        _firstStartSubscription = FirstStart.Subscribe(status => InvokeAsync(() => OnFirstStartChanged(status)));
    }

    protected override void OnParametersSet() => Load();

    private void Load()
    {
        _labels = Engine.GetDatasetSummary().Labels;
        _page = Engine.ListImages(new ImageQuery(Label, ParseSplit(Split), (CurrentPage - 1) * PageSize, PageSize));
    }

    private void OnFirstStartChanged(FirstStartStatus status)
    {
        bool stageChanged = status.Stage != _firstStart.Stage;
        _firstStart = status;
        var now = DateTime.UtcNow;
        if (stageChanged || now - _lastImportRefreshUtc >= ImportRefreshInterval)
        {
            _lastImportRefreshUtc = now;
            Load();
        }
        StateHasChanged();
    }

    private void OnImported(ImageInfo image) => Load();

    private void GoToSearch()
    {
        if (string.IsNullOrWhiteSpace(_searchText)) return;
        var link = SearchLink.Parse([new("q", _searchText)]).Link;
        Navigation.NavigateTo(link.ToUrl());
    }

    private Task<IEnumerable<string>> SearchLabelsAsync(string? text, CancellationToken cancellationToken)
    {
        var term = (text ?? "").Trim();
        var matches = _labels.Where(l => term.Length == 0 || l.Label.Contains(term, StringComparison.OrdinalIgnoreCase))
            .OrderBy(l => !l.Label.StartsWith(term, StringComparison.OrdinalIgnoreCase)).ThenByDescending(l => l.Count)
            .Select(l => l.Label);
        return Task.FromResult(matches);
    }

    private void OnLabelChanged(string? label) => NavigateWith(string.IsNullOrWhiteSpace(label) ? null : label, Split, null);

    private void OnSplitChanged(string? split) => NavigateWith(Label, string.IsNullOrEmpty(split) ? null : split, null);

    private void OnPageChanged(int page) => NavigateWith(Label, Split, page <= 1 ? null : page);

    private void ClearFilters() => NavigateWith(null, null, null);

    private void NavigateWith(string? label, string? split, int? page) =>
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(Navigation.BaseUri, new Dictionary<string, object?>
        {
            ["label"] = label, ["split"] = split, ["page"] = page,
        }));

    private static SplitKind? ParseSplit(string? split) =>
        Enum.TryParse<SplitKind>(split, ignoreCase: true, out var kind) && Enum.IsDefined(kind) ? kind : null;

    public void Dispose() => _firstStartSubscription?.Dispose();
}
