using DeviseWeb.Components.Shared;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Gallery;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace DeviseWeb.Components.Pages.Gallery;

// Contract for tests (keep these names): bar data-testid="selection-bar" with "N selected" (data-testid="selection-count");
//   buttons "Select all on page", "Clear selection", "Change label" (dialog: field "New label", button "Save"),
//   "Delete" (confirm dialog, button "Delete"), "Done" (leaves selection mode).

/// <summary>
/// The bar over the gallery while it selects: how many images are ticked, select all on the page, and the changes
/// for them (delete after a confirmation, give them a new label). The engine does the change; a snackbar says
/// what happened or shows the engine's message.
/// </summary>
public sealed partial class GallerySelectionBar
{
    private bool _busy;

    [Inject] private GalleryService Gallery { get; set; } = default!;

    [Inject] private DeviseWeb.Audit.UserAudit Audit { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    /// <summary>The gallery's selection, changed in place. Default: an empty one.</summary>
    [Parameter] public GallerySelection Selection { get; set; } = new();

    /// <summary>Ids of the images on the page shown, for "Select all on page". Default empty.</summary>
    [Parameter] public IReadOnlyList<int> PageIds { get; set; } = [];

    /// <summary>Called after the selection or the gallery changed, so the page reloads. Default: none.</summary>
    [Parameter] public EventCallback OnChanged { get; set; }

    private Task SelectAllOnPageAsync()
    {
        Selection.SelectAll(PageIds);
        return OnChanged.InvokeAsync();
    }

    private Task ClearAsync()
    {
        Selection.Clear();
        return OnChanged.InvokeAsync();
    }

    private Task DoneAsync()
    {
        Selection.Stop();
        return OnChanged.InvokeAsync();
    }

    private async Task DeleteAsync()
    {
        var ids = Selection.Ids.ToList();
        string what = ids.Count == 1 ? "this image" : $"these {ids.Count} images";
        bool? confirmed = await Dialogs.ShowMessageBoxAsync("Delete images",
            $"Delete {what}? They leave the gallery and search results at once. This cannot be undone.", yesText: "Delete", cancelText: "Cancel");
        if (confirmed != true) return;
        await RunAsync(() =>
        {
            var deleted = Gallery.Delete(ids);
            _ = Audit.RecordAsync("delete images", string.Join(", ", deleted.Select(id => $"#{id}")));
            return deleted.Count == 1 ? $"Deleted image #{deleted[0]}." : $"Deleted {deleted.Count} images.";
        });
    }

    private async Task ChangeLabelAsync()
    {
        var ids = Selection.Ids.ToList();
        var parameters = new DialogParameters<LabelDialog>
        {
            { d => d.Message, ids.Count == 1 ? "The selected image gets this label." : $"The {ids.Count} selected images get this label." },
        };
        var dialog = await Dialogs.ShowAsync<LabelDialog>("Change label", parameters);
        if (await dialog.Result is not { Canceled: false, Data: string label }) return;
        await RunAsync(() =>
        {
            var changed = Gallery.Relabel(ids, label);
            _ = Audit.RecordAsync("relabel images", $"{string.Join(", ", changed.Select(i => $"#{i.Id}"))} as '{changed.FirstOrDefault()?.Label ?? label}'");
            string now = changed.FirstOrDefault()?.Label ?? label;
            return changed.Count == 1 ? $"Image #{changed[0].Id} is now labelled '{now}'." : $"{changed.Count} images are now labelled '{now}'.";
        });
    }

    /// <summary>Runs a change off the circuit's thread; on success the selection is spent, on failure it stays for another try.</summary>
    private async Task RunAsync(Func<string> change)
    {
        _busy = true;
        try
        {
            Snackbar.Add(await Task.Run(change), Severity.Success);
            Selection.Clear();
        }
        catch (DeviseException e) { Snackbar.Add(e.Message, Severity.Error); }
        finally { _busy = false; }
        await OnChanged.InvokeAsync();
    }
}
