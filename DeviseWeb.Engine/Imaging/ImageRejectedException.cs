namespace DeviseWeb.Engine.Imaging;

/// <summary>A file that is not a usable image: names the file and says why.</summary>
public sealed class ImageRejectedException(string fileName, string reason, Exception? inner = null)
    : Exception($"{fileName}: {reason}", inner)
{
    public string FileName { get; } = fileName;
    public string Reason { get; } = reason;
}
