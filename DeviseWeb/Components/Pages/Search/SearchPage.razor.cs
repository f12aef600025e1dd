using System.Globalization;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Search;
using DeviseWeb.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.Primitives;
using Microsoft.JSInterop;
using MudBlazor;

namespace DeviseWeb.Components.Pages.Search;

// Contract for tests (keep these names):
//   route "/search"; the URL holds the whole query (see SearchLink): q (repeatable; the page writes one q per
//   comma-separated phrase), img (gallery ids), ref (reference hashes), k, min, model. After a search the page
//   replaces the URL with one that names the model version that produced the results.
//   text field label/aria-label "Search"; number fields "Results (k)" and "Minimum score"; button "Search"
//   <input type=file> aria-label "Reference photo" (stored by content hash as ref=…, NOT added to the gallery;
//   each reference card has a "Label" field and an "Add to gallery" button)
//   result cards data-testid="result" with data-image-id and a data-testid="score" number
//   button "Copy link" (data-testid="copy-link", data-share-url = the absolute share URL); copying shows a snackbar
//   no model yet: data-testid="no-model" with a link to /training; URL/engine problems: data-testid="search-error"
//   (HTTP 400 on first load for a malformed parameter)

/// <summary>Search by words, photos or both; the URL is the query, so a shared link shows the same results.</summary>
public sealed partial class SearchPage : IDisposable
{
    private static readonly string[][] Examples =
        [["a boat at sea"], ["fruit"], ["an animal with wings"], ["engine", "boat"], ["something to wear"], ["musical instrument"]];

    private readonly CancellationTokenSource _closing = new(); // cancelled when the page goes: navigation away, circuit closed
    private CancellationTokenSource? _search; // the search running now; a newer one cancels it
    private SearchLink _link = new();
    private SearchResult? _result;
    private string? _resultUrl;
    private readonly List<string> _errors = [];
    private bool _noModel;
    private bool _searching;
    private bool _storingReference;
    private int? _activeModelId;
    private string? _text;
    private int _k = SearchLimits.DefaultK;
    private double? _min;

    [Inject] private SearchService Searcher { get; set; } = default!;
    [Inject] private ModelService Models { get; set; } = default!;
    [Inject] private ReferencePhotos References { get; set; } = default!;
    [Inject] private EngineOptions Options { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    /// <summary>Query words (query "q", repeatable). Default none.</summary>
    [SupplyParameterFromQuery(Name = "q")] public string[]? Q { get; set; }

    /// <summary>Gallery image ids (query "img", repeatable). Default none.</summary>
    [SupplyParameterFromQuery(Name = "img")] public string[]? Img { get; set; }

    /// <summary>Reference photo hashes (query "ref", repeatable). Default none.</summary>
    [SupplyParameterFromQuery(Name = "ref")] public string[]? Ref { get; set; }

    /// <summary>Number of results (query "k"). Default null: 24.</summary>
    [SupplyParameterFromQuery(Name = "k")] public string? K { get; set; }

    /// <summary>Score cutoff (query "min"). Default null: none.</summary>
    [SupplyParameterFromQuery(Name = "min")] public string? Min { get; set; }

    /// <summary>Model version to search under (query "model"). Default null: the active one, then written into the URL.</summary>
    [SupplyParameterFromQuery(Name = "model")] public string? Model { get; set; }

    /// <summary>The request, during the first (prerendered) render only.</summary>
    [CascadingParameter] private HttpContext? HttpContext { get; set; }

    private string QueryTitle => string.Join(" + ", _link.Texts.Select(t => $"“{t}”")
        .Concat(_link.ImageIds.Select(id => $"image #{id}")).Concat(_link.References.Select(_ => "your photo")));

    /// <summary>The link that reproduces what is shown: the results' model version pinned.</summary>
    private string ShareUrl => (_result is null ? _link : _link with { ModelId = _result.ModelId }).ToUrl();

    private string AbsoluteShareUrl => Navigation.ToAbsoluteUri(ShareUrl).ToString();

    protected override async Task OnParametersSetAsync()
    {
        var parsed = SearchLink.Parse(new Dictionary<string, StringValues>
        {
            ["q"] = Q ?? [], ["img"] = Img ?? [], ["ref"] = Ref ?? [], ["k"] = K, ["min"] = Min, ["model"] = Model,
        });
        _link = parsed.Link;
        _text = string.Join(", ", _link.Texts);
        _k = _link.K;
        // Through the float's shortest text, so 0.1 shows as 0.1 and not 0.10000000149011612.
        _min = _link.MinScore is { } min ? double.Parse(min.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : null;
        _activeModelId = Models.ActiveModelId;
        if (_resultUrl is not null && _link.ToUrl() == _resultUrl) return;

        _errors.Clear();
        _errors.AddRange(parsed.Errors);
        _result = null;
        _resultUrl = null;
        _noModel = _link.ModelId is null && _activeModelId is null;
        if (!parsed.IsValid) PageStatus.Set(HttpContext, StatusCodes.Status400BadRequest);
        if (!parsed.IsValid || _link.IsEmpty || _noModel) return;
        await SearchAsync();
    }

    /// <summary>
    /// Searches for the current link. The search stops when the page goes, when the prerendering request is aborted,
    /// or when a newer query starts before it ends (its results would be stale).
    /// </summary>
    private async Task SearchAsync()
    {
        using var search = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token, HttpContext?.RequestAborted ?? CancellationToken.None);
        _search?.Cancel();
        _search = search;
        _searching = true;
        try
        {
            var link = _link;
            var result = await Searcher.SearchAsync(link.ToQuery(), search.Token);
            if (search.IsCancellationRequested) return;
            _result = result;
            _resultUrl = (link with { ModelId = result.ModelId }).ToUrl();
            if (link.ModelId is null) Navigation.NavigateTo(_resultUrl, replace: true);
        }
        catch (OperationCanceledException) when (search.IsCancellationRequested) { }
        catch (DeviseException e) { _errors.Add(e.Message); }
        finally
        {
            if (_search == search)
            {
                _search = null;
                _searching = false;
            }
        }
    }

    private Task SubmitAsync()
    {
        var texts = SearchLink.Parse([new("q", _text ?? "")]).Link.Texts;
        var next = _link with { Texts = texts, K = Math.Clamp(_k, 1, SearchLimits.MaxK), MinScore = _min is { } min ? (float)Math.Clamp(min, -1, 1) : null };
        if (next.IsEmpty)
        {
            _errors.Clear();
            _errors.Add("Type some words or add a photo to search with.");
            return Task.CompletedTask;
        }
        // Changing k or the cutoff keeps a shared link's model version; a new query uses the active one.
        if (!next.SameQueryAs(_link)) next = next with { ModelId = null };
        return NavigateToAsync(next);
    }

    private Task NavigateToAsync(SearchLink link)
    {
        _resultUrl = null;
        Navigation.NavigateTo(link.ToUrl());
        return Task.CompletedTask;
    }

    private Task UseActiveModelAsync() => NavigateToAsync(_link with { ModelId = null });

    private async Task OnReferenceChosenAsync(InputFileChangeEventArgs e)
    {
        var file = e.File;
        long max = Options.MaxFileBytes;
        string name = Path.GetFileName(file.Name);
        _errors.Clear();
        if (file.Size > max)
        {
            _errors.Add($"{name}: larger than the {ByteSize.Format(max)} limit ({ByteSize.Format(file.Size)}).");
            return;
        }
        _storingReference = true;
        try
        {
            await using var stream = file.OpenReadStream(max);
            string hash = await References.StoreAsync(stream, name, _closing.Token);
            var references = _link.References.Contains(hash) ? _link.References : [.. _link.References, hash];
            await NavigateToAsync(_link with { References = references, ModelId = null });
        }
        catch (ImageRejectedException ex) { _errors.Add($"{ex.FileName}: {ex.Reason}"); }
        catch (IOException ex) { _errors.Add($"{name}: the upload failed: {ex.Message}"); }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested) { }
        finally { _storingReference = false; }
    }

    private async Task CopyLinkAsync()
    {
        string url = AbsoluteShareUrl;
        bool copied;
        try { copied = await JS.InvokeAsync<bool>("deviseWeb.copyText", url); }
        catch (JSException) { copied = false; }
        if (copied) Snackbar.Add("Link copied — it reproduces these results.", Severity.Success);
        else Snackbar.Add($"Copy this link: {url}", Severity.Info, o => o.RequireInteraction = true);
    }

    public void Dispose()
    {
        _closing.Cancel();
        _closing.Dispose();
    }
}
