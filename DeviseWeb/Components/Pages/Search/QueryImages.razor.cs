using DeviseWeb.Engine;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Search;
using DeviseWeb.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace DeviseWeb.Components.Pages.Search;

/// <summary>
/// The photos in a query: gallery images (img) and reference photos (ref). A reference photo stays out of the
/// gallery unless the user clicks "Add to gallery" (optionally with a label).
/// </summary>
public sealed partial class QueryImages
{
    private readonly Dictionary<string, ImageInfo> _added = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _labels = new(StringComparer.Ordinal);
    private readonly HashSet<string> _adding = new(StringComparer.Ordinal);

    [Inject] private ReferencePhotos References { get; set; } = default!;

    [Inject] private DeviseWeb.Audit.UserAudit Audit { get; set; } = default!;
    [Inject] private ImportService Import { get; set; } = default!;
    [Inject] private InFlightWrites Writes { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    /// <summary>The query whose photos are shown. Default: an empty query.</summary>
    [Parameter] public SearchLink Link { get; set; } = new();

    /// <summary>Called with the query minus a removed photo. Default: none.</summary>
    [Parameter] public EventCallback<SearchLink> OnRemove { get; set; }

    protected override void OnParametersSet()
    {
        foreach (var hash in Link.References) _labels.TryAdd(hash, null);
    }

    private Task RemoveAsync(SearchLink without) => OnRemove.InvokeAsync(without);

    private async Task AddToGalleryAsync(string hash)
    {
        // Shutdown waits for an import it has let start, so the database is never closed under its commit.
        if (!Writes.TryEnter(out var write))
        {
            Snackbar.Add("Not added: the app is shutting down; try again once it is back.", Severity.Warning);
            return;
        }
        using var _ = write;
        _adding.Add(hash);
        try
        {
            await using var stream = File.OpenRead(References.PathFor(hash));
            var result = await Import.ImportStreamAsync(stream, $"reference-{hash[..12]}", _labels.GetValueOrDefault(hash));
            if (result.Image is { } image)
            {
                await Audit.RecordAsync("upload image", $"#{image.Id} '{image.Label}' ({result.Outcome}, from a reference photo)");
                _added[hash] = image;
                Snackbar.Add(result.Outcome == ImportOutcome.Added
                    ? $"Added to the gallery as image #{image.Id} ({image.Label})."
                    : $"Already in the gallery as image #{image.Id}.", Severity.Success);
            }
            else Snackbar.Add($"Not added: {result.Reason}", Severity.Warning);
        }
        catch (DeviseException e) { Snackbar.Add(e.Message, Severity.Warning); }
        finally { _adding.Remove(hash); }
    }
}
