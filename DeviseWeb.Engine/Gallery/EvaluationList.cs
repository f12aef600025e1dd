namespace DeviseWeb.Engine.Gallery;

/// <summary>
/// A dataset's <see cref="DatasetFolder.EvaluationFileName"/>: the entries it names, matched against the listing by
/// their path under the dataset's root (the entry as listed, a link by its own name). A line that is not a path
/// under a label folder, or that names no file of the dataset, fails the import before anything is read, with the
/// file and line: an evaluation image silently trained on would flatter every figure measured on it.
/// </summary>
internal sealed class EvaluationList
{
    private const int MaxListedProblems = 10;
    private readonly string _root;
    private readonly string _fileName;
    private readonly Dictionary<string, int> _lineOf; // relative path → line number
    private readonly HashSet<string> _matched = new(StringComparer.Ordinal);

    private EvaluationList(string root, string fileName, Dictionary<string, int> lineOf) => (_root, _fileName, _lineOf) = (root, fileName, lineOf);

    public static EvaluationList Read(string root, string fileName)
    {
        var path = Path.Combine(root, fileName);
        var lineOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var kind = Storage.UnixFiles.KindOf(path);
        if (kind == Storage.EntryKind.Missing) return new EvaluationList(root, fileName, lineOf);
        if (kind != Storage.EntryKind.RegularFile)
            throw new InvalidInputException($"{fileName} is a {Storage.UnixFiles.Describe(kind)}, not a regular file: replace it with a file, or remove it.");
        var problems = new List<string>();
        int number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var relative = line.Replace('\\', '/');
            var parts = relative.Split('/');
            if (relative.StartsWith('/') || parts.Length < 2 || parts.Any(p => p is "" or "." or ".."))
                problems.Add($"line {number}: '{line}' is not <label folder>/<file>");
            else lineOf.TryAdd(string.Join('/', parts), number);
        }
        ThrowIf(fileName, problems);
        return new EvaluationList(root, fileName, lineOf);
    }

    /// <summary>Whether the list names this entry of the listing (a full path under the root).</summary>
    public bool Mark(string entry)
    {
        if (_lineOf.Count == 0) return false;
        var relative = Path.GetRelativePath(_root, entry).Replace(Path.DirectorySeparatorChar, '/');
        if (!_lineOf.ContainsKey(relative)) return false;
        _matched.Add(relative);
        return true;
    }

    /// <summary>After the listing: every line must have named a file (or an entry skipped with its reason).</summary>
    public void ThrowIfUnmatched() => ThrowIf(_fileName, _lineOf.Where(p => !_matched.Contains(p.Key)).OrderBy(p => p.Value)
        .Select(p => $"line {p.Value}: '{p.Key}' is not a file of the dataset").ToList());

    private static void ThrowIf(string fileName, IReadOnlyList<string> problems)
    {
        if (problems.Count == 0) return;
        var shown = string.Join("; ", problems.Take(MaxListedProblems));
        var more = problems.Count > MaxListedProblems ? $"; and {problems.Count - MaxListedProblems} more" : "";
        throw new InvalidInputException($"{fileName}: {shown}{more}. Fix or remove those lines, then import again.");
    }
}
