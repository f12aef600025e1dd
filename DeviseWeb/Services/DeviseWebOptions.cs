using DeviseWeb.Engine;
using Microsoft.Extensions.Options;

namespace DeviseWeb.Services;

/// <summary>The web host's own settings, bound from configuration section "Devise" beside the engine's options.</summary>
public sealed class DeviseWebOptions
{
    /// <summary>Run the first-start routine (import the seed folder into an empty gallery, train, warm the vocabulary). Default true; tests set false.</summary>
    public bool FirstStart { get; set; } = true;

    /// <summary>Folder-per-label dataset imported on first start. Relative paths resolve against the current directory, then the repository root. Default data/demo.</summary>
    public string SeedDirectory { get; set; } = Path.Combine("data", "demo");

    /// <summary>Address used when neither --urls, ASPNETCORE_URLS nor a Kestrel endpoint is configured. Loopback only by default.</summary>
    public string DefaultUrl { get; set; } = "http://localhost:5080";

    /// <summary>The seed folder as an existing absolute path, or null when it is found nowhere.</summary>
    public string? ResolveSeedDirectory()
    {
        if (string.IsNullOrWhiteSpace(SeedDirectory)) return null;
        if (Path.IsPathRooted(SeedDirectory)) return Directory.Exists(SeedDirectory) ? SeedDirectory : null;
        var fromCurrent = Path.GetFullPath(SeedDirectory);
        if (Directory.Exists(fromCurrent)) return fromCurrent;
        return RepositoryRoot() is { } root && Directory.Exists(Path.Combine(root, SeedDirectory))
            ? Path.Combine(root, SeedDirectory)
            : null;
    }

    /// <summary>The folder holding DeviseWeb.sln above the current directory or the executable, if any.</summary>
    public static string? RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "DeviseWeb.sln"))) return dir.FullName;
        return null;
    }
}

/// <summary>The allowed values of the <see cref="DeviseWebOptions"/> settings, checked when the app starts.</summary>
internal sealed class DeviseWebOptionsValidation : IValidateOptions<DeviseWebOptions>
{
    public ValidateOptionsResult Validate(string? name, DeviseWebOptions options)
    {
        var check = new SettingChecks(EngineOptions.SectionName);
        // As --urls takes them: Kestrel's "http://*:5080" and "http://+:5080" are not URIs, so only the scheme and a host are checked.
        var urls = (options.DefaultUrl ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        check.Require(urls.Length > 0 && urls.All(IsListeningUrl), nameof(options.DefaultUrl), $"'{options.DefaultUrl}'",
            "one or more http:// or https:// addresses with a host, separated by ';'");
        return check.Result;
    }

    private static bool IsListeningUrl(string url)
    {
        string? rest = url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? url[7..]
            : url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? url[8..] : null;
        return rest is { Length: > 0 } && rest[0] is not (':' or '/');
    }
}
