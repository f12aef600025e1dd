using System.Globalization;

namespace DeviseWeb.Cli;

/// <summary>A verb, its positional arguments and its --options (flags have no value).</summary>
public sealed class CliArguments
{
    private static readonly HashSet<string> Flags =
        ["--json", "--no-activate", "--help", "--quick", "--verbose", "--repair", "--coral", "--no-coral", "--evaluation"];
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    public string Verb { get; }
    public IReadOnlyList<string> Positional { get; }

    public CliArguments(IReadOnlyList<string> args)
    {
        Verb = args.Count > 0 ? args[0] : "";
        var positional = new List<string>();
        for (int i = 1; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Length > 2)
            {
                int equals = arg.IndexOf('=');
                if (equals > 0) _options[arg[..equals]] = arg[(equals + 1)..];
                else if (Flags.Contains(arg)) _options[arg] = null;
                else if (i + 1 < args.Count) _options[arg] = args[++i];
                else throw new CliUsageException($"{arg} needs a value.");
            }
            else positional.Add(arg);
        }
        Positional = positional;
    }

    public bool Has(string name) => _options.ContainsKey(name);

    public string? Get(string name) => _options.GetValueOrDefault(name);

    public int GetInt(string name, int fallback) => Get(name) is { } v
        ? int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new CliUsageException($"{name} expects a whole number, got '{v}'.")
        : fallback;

    public double GetDouble(string name, double fallback) => Get(name) is { } v
        ? double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : throw new CliUsageException($"{name} expects a number, got '{v}'.")
        : fallback;

    public string RequirePositional(int index, string what) =>
        index < Positional.Count ? Positional[index] : throw new CliUsageException($"'{Verb}' needs {what}.");

    /// <summary>Whole numbers from every positional argument (image ids, say); at least one.</summary>
    public IReadOnlyList<int> PositionalInts(string what)
    {
        if (Positional.Count == 0) throw new CliUsageException($"'{Verb}' needs {what}.");
        return Positional.Select(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n : throw new CliUsageException($"'{Verb}' expects {what}, got '{p}'.")).ToList();
    }

    /// <summary>Fails on an option the verb does not take, before anything runs: a typo must not be ignored.</summary>
    public void RejectUnknown(IEnumerable<string> allowed)
    {
        var known = allowed.ToHashSet(StringComparer.Ordinal);
        if (_options.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
            throw new CliUsageException($"Unknown option {unknown} for '{Verb}'.");
    }
}

public sealed class CliUsageException(string message) : Exception(message);
