using System.Globalization;
using System.Text;

namespace DeviseWeb.Engine.Text;

/// <summary>
/// The one rule for labels, applied wherever a label enters (folder import, labels.tsv, uploads, relabel,
/// rename): Unicode-normalised, lower case, single spaces, at most <see cref="MaxBytes"/> UTF-8 bytes, and none of
/// the characters that hide text or break links (control, format/bidi/zero-width, line separators, commas).
/// </summary>
public static class LabelText
{
    public const int MaxBytes = 200;
    public const string Unlabelled = "unlabelled";

    /// <summary>Folder names: underscores and hyphens become spaces, then the label rule.</summary>
    public static string FromFolderName(string folderName) => Normalize(FolderText(folderName));

    /// <summary>A folder name as label text, before the rule: underscores and hyphens become spaces.</summary>
    public static string FolderText(string folderName) => folderName.Replace('_', ' ').Replace('-', ' ');

    /// <summary>The label in its stored form; throws <see cref="InvalidInputException"/> saying what is wrong.</summary>
    public static string Normalize(string? label)
    {
        if (label is null) throw new InvalidInputException("A label is required.");
        string text;
        try { text = label.Normalize(NormalizationForm.FormC); }
        catch (ArgumentException) // a lone surrogate: not text at all
        {
            throw new InvalidInputException($"Label '{Printable(label)}' is not valid Unicode text (it holds half of a character).");
        }
        foreach (var rune in text.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned)
                throw new InvalidInputException($"Label '{Printable(text)}' contains an invisible or control character (U+{rune.Value:X4}).");
            if (rune.Value == ',') throw new InvalidInputException($"Label '{Printable(text)}' contains a comma, which search links use to separate phrases.");
        }
        var normal = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
        if (normal.Length == 0) throw new InvalidInputException("A label cannot be empty.");
        int bytes = Encoding.UTF8.GetByteCount(normal);
        if (bytes > MaxBytes) throw new InvalidInputException($"Label '{Printable(normal[..Math.Min(40, normal.Length)])}…' is {bytes} bytes long; the limit is {MaxBytes}.");
        return normal;
    }

    /// <summary>The rule as a yes/no with the reason, for form fields.</summary>
    public static bool TryNormalize(string? label, out string normal, out string? problem)
    {
        try
        {
            normal = Normalize(label);
            problem = null;
            return true;
        }
        catch (InvalidInputException e)
        {
            normal = "";
            problem = e.Message;
            return false;
        }
    }

    /// <summary>Reads an optional rename file: "folder&lt;TAB&gt;label" per line, '#' comments; other columns are ignored.</summary>
    public static IReadOnlyDictionary<string, string> ReadRenames(string path)
    {
        var renames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var parts = line.Split('\t');
            if (parts.Length >= 2 && parts[1].Trim().Length > 0) renames[parts[0].Trim()] = parts[1].Trim();
        }
        return renames;
    }

    private static string Printable(string text) =>
        string.Concat(text.EnumerateRunes().Select(r => Rune.IsControl(r) || Rune.GetUnicodeCategory(r) == UnicodeCategory.Format ? "\uFFFD" : r.ToString()));
}
