using System.Globalization;
using DeviseWeb.Components.Shared;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Text;
using DeviseWeb.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace DeviseWeb.Components.Pages.ImageDetail;

// Contract for tests (keep these names):
//   route "/image/{id:int}"; unknown id → data-testid="image-not-found" (friendly, no exception page); on a first load
//   the answer is HTTP 404 with the app's not-found page (data-testid="not-found"), which Blazor renders for a 404
//   original: <img data-testid="original-image"> from GET /api/images/{id}/file
//   keywords: list data-testid="keywords", items data-testid="keyword" (word + score); while loading data-testid="keywords-loading"
//   similar images: result cards data-testid="result" (ResultsGrid), the image itself excluded
//   link-button "Search with this" → /search?img={id}
//   buttons "Change label" (dialog field "New label", "Save") and "Delete" (confirm "Delete"; then back to the gallery)

/// <summary>One image: the original, label, split, nearest words, the most similar images under the active model; relabel or delete it.</summary>
public sealed partial class ImageDetailPage : IDisposable
{
    private const int KeywordCount = 12;
    private const int SimilarCount = 12;

    private readonly CancellationTokenSource _cancellation = new();
    private CancellationTokenSource? _loading; // the similar images and keywords being found for the image shown
    private ImageInfo? _image;
    private bool _hasModel;
    private bool _busy;
    private IReadOnlyList<KeywordHit>? _keywords;
    private IReadOnlyList<SearchHit>? _similar;
    private string? _keywordsError;
    private string? _similarError;
    private JobProgress? _vocabulary;
    private IDisposable? _subscription;
    private int _loadedId;

    [Inject] private GalleryService Gallery { get; set; } = default!;

    [Inject] private DeviseWeb.Audit.UserAudit Audit { get; set; } = default!;
    [Inject] private ModelService Models { get; set; } = default!;
    [Inject] private SearchService Searcher { get; set; } = default!;
    [Inject] private KeywordService Keywords { get; set; } = default!;
    [Inject] private JobQueue Jobs { get; set; } = default!;
    [Inject] private JobNotifier Notifier { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    /// <summary>The gallery image id from the route. Default 0 (not found).</summary>
    [Parameter] public int Id { get; set; }

    /// <summary>The request, during the first (prerendered) render only.</summary>
    [CascadingParameter] private HttpContext? HttpContext { get; set; }

    private string SearchWithThisUrl => new SearchLink { ImageIds = [Id] }.ToUrl();

    private List<BreadcrumbItem> Breadcrumbs =>
        [new("Gallery", href: ""), new(_image?.Label ?? "", href: LabelUrl(_image?.Label)), new($"#{Id}", href: null, disabled: true)];

    private string KeywordsWaitText => _vocabulary is { Total: > 0 } p
        ? $"Preparing the keyword vocabulary (first start only): {p.Done:N0} / {p.Total:N0} words…"
        : "Finding the nearest words…";

    protected override void OnInitialized()
    {
        _vocabulary = Jobs.Active is { Kind: JobKind.Vocabulary } job ? job.Progress : null;
        // The keywords wait for the vocabulary job on a first start; its progress says how long.
        _subscription = Notifier.Subscribe(e => e.Kind == JobKind.Vocabulary && e.Progress is { } progress
            ? InvokeAsync(() =>
            {
                _vocabulary = progress;
                if (_keywords is null) StateHasChanged();
            })
            : Task.CompletedTask);
    }

    protected override async Task OnParametersSetAsync()
    {
        if (_loadedId == Id && _image is not null) return;
        _loadedId = Id;
        _image = Gallery.Find(Id);
        _hasModel = Models.ActiveModelId is not null;
        _keywords = null;
        _similar = null;
        _keywordsError = _similarError = null;
        if (_image is null) PageStatus.Set(HttpContext, StatusCodes.Status404NotFound);
        if (_image is null || !_hasModel) return;

        // Similar images are quick; keywords may wait minutes for the vocabulary on a first start, so neither blocks the
        // circuit. Both stop when the page goes or shows another image first.
        using var loading = CancellationTokenSource.CreateLinkedTokenSource(_cancellation.Token, HttpContext?.RequestAborted ?? CancellationToken.None);
        _loading?.Cancel();
        _loading = loading;
        var similar = Searcher.SearchSimilarAsync(Id, SimilarCount, cancellationToken: loading.Token);
        var keywords = Keywords.ForImageAsync(Id, KeywordCount, cancellationToken: loading.Token);
        // Whatever arrives after the load was superseded belongs to another image and is dropped.
        try
        {
            try
            {
                var found = (await similar).Hits;
                if (!loading.IsCancellationRequested) _similar = found;
            }
            catch (DeviseException e) when (!loading.IsCancellationRequested) { _similarError = e.Message; }
            if (loading.IsCancellationRequested) return;
            StateHasChanged();
            try
            {
                var words = await keywords;
                if (!loading.IsCancellationRequested) _keywords = words;
            }
            catch (DeviseException e) when (!loading.IsCancellationRequested) { _keywordsError = e.Message; }
        }
        catch (Exception e) when ((e is OperationCanceledException or DeviseException) && loading.IsCancellationRequested) { }
        finally
        {
            if (_loading == loading) _loading = null;
        }
    }

    private async Task ChangeLabelAsync()
    {
        var parameters = new DialogParameters<LabelDialog> { { d => d.Label, _image!.Label } };
        var dialog = await Dialogs.ShowAsync<LabelDialog>("Change label", parameters);
        if (await dialog.Result is not { Canceled: false, Data: string label }) return;
        await RunAsync(() =>
        {
            _image = Gallery.Relabel([Id], label).Single();
            _ = Audit.RecordAsync("relabel image", $"#{Id} as '{_image.Label}'");
            return $"Image #{Id} is now labelled '{_image.Label}'.";
        });
    }

    private async Task DeleteAsync()
    {
        bool? confirmed = await Dialogs.ShowMessageBoxAsync("Delete image",
            $"Delete image #{Id} ({_image!.Label})? It leaves the gallery and search results at once. This cannot be undone.",
            yesText: "Delete", cancelText: "Cancel");
        if (confirmed != true) return;
        string label = _image.Label;
        if (await RunAsync(() =>
            {
                if (Gallery.Delete([Id]).Count == 0) return $"Image #{Id} was already gone.";
                _ = Audit.RecordAsync("delete image", $"#{Id} '{label}'");
                return $"Deleted image #{Id}.";
            }))
            Navigation.NavigateTo(Gallery.Summary().Labels.Any(l => l.Label == label) ? LabelUrl(label) : "");
    }

    /// <summary>Runs a change off the circuit's thread and says how it went; true when it succeeded.</summary>
    private async Task<bool> RunAsync(Func<string> change)
    {
        _busy = true;
        try
        {
            Snackbar.Add(await Task.Run(change), Severity.Success);
            return true;
        }
        catch (DeviseException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
            return false;
        }
        finally { _busy = false; }
    }

    private static string LabelUrl(string? label) => $"?label={Uri.EscapeDataString(label ?? "")}";

    private static string KeywordSearchUrl(string word) => new SearchLink { Texts = [word] }.ToUrl();

    private static string BarStyle(float score) =>
        string.Create(CultureInfo.InvariantCulture, $"width:{Math.Clamp(score, 0f, 1f) * 100f:0.#}%");

    public void Dispose()
    {
        _subscription?.Dispose();
        _cancellation.Cancel();
        _cancellation.Dispose();
    }
}
