using System.Globalization;
using DeviseWeb.Components.Shared;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Text;
using DeviseWeb.Engine.Training;
using DeviseWeb.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace DeviseWeb.Components.Pages.Gallery;

// Contract for tests (keep these names):
//   route "/" with optional query label=<label>, split=Train|Validation|HeldOut|Unassigned|Evaluation, page=<1-based>;
//   a malformed page or split: HTTP 400 on first load, data-testid="gallery-query-problem" naming it, the gallery below
//   gallery cards: data-testid="gallery-image" with data-image-id; grid data-testid="gallery-grid"; count text data-testid="gallery-count"
//   search box: text field label/aria-label "Search", button "Search" → navigates to /search?q=<phrase>
//   filters: autocomplete "Filter by label", select "Split"; with a label filter, button "Rename label" (dialog field "New label", "Save")
//   button "Select": cards become checkboxes "Select <label> (image <id>)"; the bar is GallerySelectionBar
//   import banner: data-testid="import-banner" ("Importing images: N / M") while an import job runs, a line while a training job runs
//   upload: see UploadPanel.razor.cs

/// <summary>
/// The gallery: thumbnails filtered by label and split, paged; upload on top; a search box that hands off to
/// /search; a selection mode to delete or relabel many images; renaming the filtered label.
/// </summary>
public sealed partial class GalleryPage : IDisposable
{
    private const int PageSize = 48;
    private const string AllSplits = "";
    private static readonly TimeSpan ImportRefreshInterval = TimeSpan.FromSeconds(1.5);

    private readonly GallerySelection _selection = new();
    private ImagePage _page = new([], 0);
    private IReadOnlyList<LabelCount> _labels = [];
    private string? _searchText;
    private JobInfo? _job;
    private JobProgress? _progress;
    private IDisposable? _subscription;
    private DateTime _lastImportRefreshUtc;

    [Inject] private GalleryService Gallery { get; set; } = default!;

    [Inject] private DeviseWeb.Audit.UserAudit Audit { get; set; } = default!;
    [Inject] private JobQueue Jobs { get; set; } = default!;
    [Inject] private JobNotifier Notifier { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    /// <summary>Only images with this label (query "label"). Default null: all labels.</summary>
    [SupplyParameterFromQuery(Name = "label")] public string? Label { get; set; }

    /// <summary>Only images in this split of the active model (query "split"). Default null: all.</summary>
    [SupplyParameterFromQuery(Name = "split")] public string? Split { get; set; }

    /// <summary>1-based page (query "page"), read as text so that a malformed one is answered, not thrown. Default 1.</summary>
    [SupplyParameterFromQuery(Name = "page")] public string? PageNumber { get; set; }

    /// <summary>The request, during the first (prerendered) render only.</summary>
    [CascadingParameter] private HttpContext? HttpContext { get; set; }

    private int CurrentPage { get; set; } = 1;

    /// <summary>What is wrong with the address's query, shown above the (unfiltered) gallery; null when nothing is.</summary>
    private string? QueryProblem { get; set; }
    private int PageCount => Math.Max(1, (_page.Total + PageSize - 1) / PageSize);
    private string SplitValue => ParseSplit(Split)?.ToString() ?? AllSplits;
    private IReadOnlyList<int> PageIds => _page.Items.Select(i => i.Id).ToList();

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
        ShowJob(Jobs.Active);
        _subscription = Notifier.Subscribe(e => e.Kind is JobKind.Import or JobKind.Training ? InvokeAsync(() => Apply(e)) : Task.CompletedTask);
    }

    protected override void OnParametersSet()
    {
        QueryProblem = ReadQuery();
        if (QueryProblem is not null) PageStatus.Set(HttpContext, StatusCodes.Status400BadRequest);
        Load();
    }

    /// <summary>The page number from the query, and what is wrong with the query if anything (the split is checked too).</summary>
    private string? ReadQuery()
    {
        CurrentPage = 1;
        var problems = new List<string>();
        if (!string.IsNullOrWhiteSpace(PageNumber))
        {
            if (int.TryParse(PageNumber, NumberStyles.None, CultureInfo.InvariantCulture, out int page) && page >= 1) CurrentPage = page;
            else problems.Add($"page: '{PageNumber}' is not a page number (1, 2, 3…).");
        }
        if (!string.IsNullOrWhiteSpace(Split) && ParseSplit(Split) is null)
            problems.Add($"split: '{Split}' is not one of {string.Join(", ", Enum.GetNames<SplitKind>())}.");
        return problems.Count == 0 ? null : string.Join(" ", problems);
    }

    private void Load()
    {
        _labels = Gallery.Summary().Labels;
        // A label that breaks the rule finds nothing rather than failing the page.
        try { _page = Gallery.List(new ImageQuery(Label, ParseSplit(Split), (CurrentPage - 1) * PageSize, PageSize)); }
        catch (InvalidInputException) { _page = new ImagePage([], 0); }
    }

    /// <summary>Follows import and training jobs: the banner, and the grid refreshed while images arrive.</summary>
    internal void Apply(JobEvent e)
    {
        if (e.Job is { } job) ShowJob(job.IsActive ? job : Jobs.Active);
        else if (e.JobId == _job?.Id && e.Progress is { } progress) _progress = progress;
        var now = DateTime.UtcNow;
        bool importEnded = e.Kind == JobKind.Import && e.Job is { IsActive: false };
        if (importEnded || (e.Kind == JobKind.Import && now - _lastImportRefreshUtc >= ImportRefreshInterval))
        {
            _lastImportRefreshUtc = now;
            Load();
        }
        StateHasChanged();
    }

    private void ShowJob(JobInfo? job)
    {
        _job = job is { Kind: JobKind.Import or JobKind.Training } ? job : null;
        _progress = _job?.Progress;
    }

    private void OnImported(ImageInfo image) => Load();

    private void StartSelecting() => _selection.Start();

    private async Task RenameLabelAsync()
    {
        var from = Label!;
        var parameters = new DialogParameters<LabelDialog>
        {
            { d => d.Label, from },
            { d => d.Message, $"Every image labelled '{from}' gets the new label; an existing label is merged into." },
            { d => d.SaveText, "Rename" },
        };
        var dialog = await Dialogs.ShowAsync<LabelDialog>("Rename label", parameters);
        if (await dialog.Result is not { Canceled: false, Data: string to }) return;
        try
        {
            int moved = await Task.Run(() => Gallery.RenameLabel(from, to));
            var target = LabelText.Normalize(to);
            await Audit.RecordAsync("rename label", $"'{from}' to '{target}', {moved} images");
            Snackbar.Add($"Moved {moved} image{(moved == 1 ? "" : "s")} from '{from}' to '{target}'.", Severity.Success);
            NavigateWith(target, Split, null);
        }
        catch (DeviseException e) { Snackbar.Add(e.Message, Severity.Error); }
    }

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

    public void Dispose() => _subscription?.Dispose();
}
