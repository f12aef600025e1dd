using DeviseWeb.Engine.Gallery;

namespace DeviseWeb.Components.Pages.Gallery;

public enum UploadState { Queued, Uploading, Processing, Added, Duplicate, Rejected }

/// <summary>One file of an upload batch as its row shows it.</summary>
public sealed class UploadItem(string fileName, long size)
{
    public string FileName { get; } = fileName;
    public long Size { get; } = size;
    public UploadState State { get; set; } = UploadState.Queued;
    public double Percent { get; set; }
    /// <summary>The rejection reason, or a note such as "already in the gallery".</summary>
    public string? Message { get; set; }
    public ImageInfo? Image { get; set; }

    public bool IsDone => State is UploadState.Added or UploadState.Duplicate or UploadState.Rejected;

    public void Complete(ImportFileResult result)
    {
        Percent = 100;
        Image = result.Image;
        Message = result.Reason;
        State = result.Outcome switch
        {
            ImportOutcome.Added => UploadState.Added,
            ImportOutcome.Duplicate => UploadState.Duplicate,
            _ => UploadState.Rejected,
        };
    }

    public void Reject(string reason)
    {
        State = UploadState.Rejected;
        Message = reason;
    }

}
