using System.Globalization;
using DeviseWeb.Engine;
using DeviseWeb.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace DeviseWeb.Components.Pages.ImageDetail;

// Contract for tests (keep these names):
//   route "/image/{id:int}"; unknown id → data-testid="image-not-found" (friendly, no exception page)
//   original: <img data-testid="original-image"> from GET /api/images/{id}/file
//   keywords: list data-testid="keywords", items data-testid="keyword" (word + score); while loading data-testid="keywords-loading"
//   similar images: result cards data-testid="result" (ResultsGrid), the image itself excluded
//   link-button "Search with this" → /search?img={id}

/// <summary>One image: the original, label, split, nearest words, and the most similar images under the active model.</summary>
public sealed partial class ImageDetailPage : IDisposable
{
    private const int KeywordCount = 12;
    private const int SimilarCount = 12;

    private readonly CancellationTokenSource _cancellation = new();
    private ImageInfo? _image;
    private bool _hasModel;
    private IReadOnlyList<KeywordHit>? _keywords;
    private IReadOnlyList<SearchHit>? _similar;
    private string? _keywordsError;
    private string? _similarError;
    private FirstStartStatus _firstStart = new(FirstStartStage.Idle);
    private IDisposable? _firstStartSubscription;
    private int _loadedId;

    [Inject] private DeviseEngine Engine { get; set; } = default!;
    [Inject] private FirstStartState FirstStart { get; set; } = default!;

    /// <summary>The gallery image id from the route. Default 0 (not found).</summary>
    [Parameter] public int Id { get; set; }

    private string SearchWithThisUrl => new SearchLink { ImageIds = [Id] }.ToUrl();

    private List<BreadcrumbItem> Breadcrumbs =>
        [new("Gallery", href: ""), new(_image?.Label ?? "", href: $"?label={Uri.EscapeDataString(_image?.Label ?? "")}"), new($"#{Id}", href: null, disabled: true)];

    private string KeywordsWaitText => _firstStart.IsWarmingVocabulary && _firstStart.Total > 0
        ? $"Preparing the keyword vocabulary (first start only): {_firstStart.Done:N0} / {_firstStart.Total:N0} words…"
        : "Finding the nearest words…";

    protected override void OnInitialized()
    {
        _firstStart = FirstStart.Current;
        _firstStartSubscription = FirstStart.Subscribe(status => InvokeAsync(() =>
        {
            _firstStart = status;
            if (_keywords is null) StateHasChanged();
        }));
    }

    protected override async Task OnParametersSetAsync()
    {
        if (_loadedId == Id && _image is not null) return;
        _loadedId = Id;
        _image = Engine.GetImage(Id);
        _hasModel = Engine.ActiveModel is not null;
        _keywords = null;
        _similar = null;
        _keywordsError = _similarError = null;
        if (_image is null || !_hasModel) return;

        // Similar images are quick; keywords may wait minutes for the vocabulary on a first start, so neither blocks the circuit.
        var similar = Task.Run(() => Engine.Search(new SearchQuery { ImageIds = [Id], K = SimilarCount, ExcludeQueryImages = true }).Hits, _cancellation.Token);
        var keywords = Task.Run(() => Engine.Keywords(Id, KeywordCount), _cancellation.Token);
        try { _similar = await similar; }
        catch (Exception e) when (e is DeviseException or OperationCanceledException) { _similarError = e.Message; }
        StateHasChanged();
        try { _keywords = await keywords; }
        catch (Exception e) when (e is DeviseException or OperationCanceledException) { _keywordsError = e.Message; }
    }

    private static string KeywordSearchUrl(string word) => new SearchLink { Texts = [word] }.ToUrl();

    private static string BarStyle(float score) =>
        string.Create(CultureInfo.InvariantCulture, $"width:{Math.Clamp(score, 0f, 1f) * 100f:0.#}%");

    public void Dispose()
    {
        _firstStartSubscription?.Dispose();
        _cancellation.Cancel();
        _cancellation.Dispose();
    }
}
