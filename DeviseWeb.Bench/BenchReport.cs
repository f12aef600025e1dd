using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeviseWeb.Bench;

/// <summary>
/// Where figures go: one JSON line per measurement (<c>{"bench": name, "figures": {...}}</c>, what
/// scripts/bench-compare.py reads), or a readable line; notes on stderr.
/// </summary>
public sealed class BenchReport(TextWriter output, TextWriter errors, bool json)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public TextWriter Errors => errors;

    public void Figures(string name, object figures)
    {
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["bench"] = name, ["figures"] = figures }, Json));
            return;
        }
        var values = figures.GetType().GetProperties().Select(p => $"{p.Name}={Format(p.GetValue(figures))}");
        output.WriteLine($"{name,-12} {string.Join("  ", values)}");
    }

    public void Note(string line) => errors.WriteLine($"bench: {line}");

    /// <summary>A readable line (a table's row): beside the figures, or on stderr when stdout carries JSON lines.</summary>
    public void Text(string line) => (json ? errors : output).WriteLine(line);

    private static string Format(object? value) => value switch
    {
        double d => d.ToString(Math.Abs(d) >= 100 ? "0" : "0.00##", CultureInfo.InvariantCulture),
        IEnumerable<double> list => "[" + string.Join(",", list.Select(d => Format(d))) + "]",
        IEnumerable<KeyValuePair<string, double>> named => "{" + string.Join(", ", named.Select(p => $"{p.Key}: {Format(p.Value)}")) + "}",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}

/// <summary>Percentiles and this process's memory as /proc reports it.</summary>
public static class BenchMath
{
    /// <summary>Linear interpolation between closest ranks (numpy's default), of values in milliseconds or seconds.</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        double rank = p / 100 * (sorted.Count - 1);
        int low = (int)Math.Floor(rank), high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }

    /// <summary>Resident set size now (VmRSS), in bytes.</summary>
    public static long ResidentBytes() => StatusBytes("VmRSS:");

    /// <summary>The most this process has held resident so far (VmHWM), in bytes.</summary>
    public static long PeakResidentBytes() => StatusBytes("VmHWM:");

    /// <summary>A full, compacting collection and its finalisers, so managed garbage does not count as growth.</summary>
    public static void Settle()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }

    public static double Megabytes(long bytes) => bytes / (1024.0 * 1024.0);

    /// <summary>A size field of /proc/self/status ("VmRSS:", "RssAnon:", …), in bytes; 0 where there is none.</summary>
    public static long StatusBytes(string field)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return 0;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
