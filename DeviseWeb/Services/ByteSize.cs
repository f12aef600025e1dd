using System.Globalization;

namespace DeviseWeb.Services;

/// <summary>Byte counts for people: "812 B", "2.8 KB", "50 MB".</summary>
public static class ByteSize
{
    public static string Format(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MB"),
    };
}
