using DeviseWeb.Engine;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;

namespace DeviseWeb.Components.Pages.Gallery;

// Contract for tests (E2E uses role-based locators; keep these names):
//   <input type=file> aria-label "Upload images" (multiple; drop files onto the zone or click it)
//   text field label "Label for uploads"
//   one row per file: data-testid="upload-status", data-outcome = queued|uploading|processing|added|duplicate|rejected,
//   rejected rows show the engine's reason next to the file name.

/// <summary>
/// Drag-and-drop / file-picker upload of many images at once. Files are streamed one after another to the
/// engine (which decodes defensively and names the reason for any rejection); each row shows its progress.
/// </summary>
public sealed partial class UploadPanel : IDisposable
{
    private const string Accept = "image/*,.jpg,.jpeg,.png,.webp,.gif,.bmp";
    private static readonly TimeSpan RenderInterval = TimeSpan.FromMilliseconds(100);

    private readonly CancellationTokenSource _cancellation = new();
    private readonly List<UploadItem> _items = [];
    private string? _label;
    private string? _problem;
    private bool _busy;
    private bool _dragging;
    private DateTime _lastRenderUtc;

    [Inject] private ImportService Import { get; set; } = default!;

    [Inject] private DeviseWeb.Audit.UserAudit Audit { get; set; } = default!;
    [Inject] private EngineOptions Options { get; set; } = default!;
    [Inject] private InFlightWrites Writes { get; set; } = default!;
    [Inject] private ILogger<UploadPanel> Logger { get; set; } = default!;

    /// <summary>Called after each file is added to the gallery. Default: none.</summary>
    [Parameter] public EventCallback<ImageInfo> OnImported { get; set; }

    /// <summary>Most files accepted in one go. Default 500.</summary>
    [Parameter] public int MaxFiles { get; set; } = 500;

    private long MaxBytes => Options.MaxFileBytes;
    private string DropzoneClass => _dragging ? "devise-dropzone dragging" : _busy ? "devise-dropzone busy" : "devise-dropzone";

    private string Summary
    {
        get
        {
            int added = _items.Count(i => i.State == UploadState.Added);
            int duplicates = _items.Count(i => i.State == UploadState.Duplicate);
            int rejected = _items.Count(i => i.State == UploadState.Rejected);
            int done = _items.Count(i => i.IsDone);
            string counts = $"{added} added · {duplicates} already in the gallery · {rejected} rejected";
            return _busy ? $"Uploading {done}/{_items.Count} — {counts}" : $"{_items.Count} files: {counts}";
        }
    }

    private async Task OnFilesChosenAsync(InputFileChangeEventArgs e)
    {
        _dragging = false;
        _problem = null;
        if (e.FileCount > MaxFiles)
        {
            _problem = $"{e.FileCount} files chosen; upload at most {MaxFiles} at once.";
            return;
        }
        var files = e.GetMultipleFiles(MaxFiles);
        var batch = files.Select(f => (File: f, Item: new UploadItem(Path.GetFileName(f.Name), f.Size))).ToList();
        _items.InsertRange(0, batch.Select(b => b.Item).Reverse());
        _busy = true;
        string? label = string.IsNullOrWhiteSpace(_label) ? null : _label.Trim();
        try
        {
            foreach (var (file, item) in batch)
            {
                if (_cancellation.IsCancellationRequested) break;
                await ImportOneAsync(file, item, label);
                if (item is { State: UploadState.Added, Image: { } image }) await OnImported.InvokeAsync(image);
                StateHasChanged();
            }
        }
        finally { _busy = false; }
    }

    private async Task ImportOneAsync(IBrowserFile file, UploadItem item, string? label)
    {
        if (file.Size > MaxBytes)
        {
            item.Reject($"larger than the {ByteSize.Format(MaxBytes)} limit ({ByteSize.Format(file.Size)})");
            return;
        }
        // Shutdown waits for an upload it has let start, so the database is never closed under its commit.
        if (!Writes.TryEnter(out var write))
        {
            item.Reject("the app is shutting down; try again once it is back");
            return;
        }
        using var _ = write;
        item.State = UploadState.Uploading;
        StateHasChanged();
        try
        {
            await using var stream = new ProgressStream(file.OpenReadStream(MaxBytes, _cancellation.Token), read => OnBytesRead(item, read));
            var result = await Import.ImportStreamAsync(stream, item.FileName, label, cancellationToken: _cancellation.Token);
            item.Complete(result);
            if (result.Image is { } added) await Audit.RecordAsync("upload image", $"#{added.Id} '{added.Label}' ({result.Outcome}, {item.FileName})");
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested) { item.Reject("cancelled: the page was closed"); }
        catch (IOException ex) { item.Reject("the upload failed: " + ex.Message); }
        catch (DeviseException ex) { item.Reject(ex.Message); }
        catch (Exception ex)
        {
            Logger.LogError(ex, "Importing upload {File} failed", item.FileName);
            item.Reject("could not be imported: " + ex.Message);
        }
    }

    private void OnBytesRead(UploadItem item, long read)
    {
        item.Percent = item.Size == 0 ? 100 : Math.Min(100, read * 100.0 / item.Size);
        if (read >= item.Size) item.State = UploadState.Processing;
        var now = DateTime.UtcNow;
        if (now - _lastRenderUtc < RenderInterval && item.State != UploadState.Processing) return;
        _lastRenderUtc = now;
        _ = InvokeAsync(StateHasChanged);
    }

    private void Clear()
    {
        _items.Clear();
        _problem = null;
    }

    private static string MessageOf(UploadItem item) => item.State switch
    {
        UploadState.Queued => "Waiting",
        UploadState.Uploading => $"Uploading {item.Percent:0}%",
        UploadState.Processing => "Reading the image…",
        UploadState.Added => $"Added as {item.Image?.Label}",
        UploadState.Duplicate => "Already in the gallery",
        _ => "Rejected: " + item.Message,
    };

    private static string IconOf(UploadItem item) => item.State switch
    {
        UploadState.Added => Icons.Material.Filled.CheckCircle,
        UploadState.Duplicate => Icons.Material.Outlined.ContentCopy,
        UploadState.Rejected => Icons.Material.Filled.ErrorOutline,
        _ => Icons.Material.Outlined.Schedule,
    };

    private static Color ColorOf(UploadItem item) => item.State switch
    {
        UploadState.Added => Color.Success,
        UploadState.Duplicate => Color.Info,
        UploadState.Rejected => Color.Error,
        _ => Color.Default,
    };

    public void Dispose()
    {
        _cancellation.Cancel();
        _cancellation.Dispose();
    }
}
