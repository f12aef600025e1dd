using System.Globalization;
using System.Text;

namespace DeviseWeb.Engine.Imaging;

/// <summary>
/// The name a client gave a file, made safe to store, log and show: its last path segment only (either slash), control
/// characters as '_', bidi overrides and zero-width characters dropped (they make "photo\u202Egnp.exe" read as
/// "photoexe.png"), at most <see cref="MaxLength"/> characters with the extension kept. Files are stored under their
/// content hash, so this name never reaches the file system.
/// </summary>
public static class DisplayFileName
{
    public const int MaxLength = 255;
    public const string Fallback = "upload";

    public static string Of(string? fileName)
    {
        if (string.IsNullOrEmpty(fileName)) return Fallback;
        string segment = fileName[(fileName.LastIndexOfAny(['/', '\\']) + 1)..];
        var text = new StringBuilder(Math.Min(segment.Length, MaxLength * 2));
        foreach (var rune in segment.EnumerateRunes())
        {
            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator:
                    text.Append('_');
                    break;
                case UnicodeCategory.Format:
                    break;
                default:
                    text.Append(rune.ToString());
                    break;
            }
        }
        string name = text.ToString().Trim();
        if (name.Length == 0 || name is "." or "..") return Fallback;
        return name.Length <= MaxLength ? name : Shorten(name);
    }

    private static string Shorten(string name)
    {
        string extension = Path.GetExtension(name);
        if (extension.Length > 16) extension = "";
        int keep = MaxLength - extension.Length - 1;
        if (char.IsHighSurrogate(name[keep - 1])) keep--;
        return name[..keep] + "…" + extension;
    }
}
