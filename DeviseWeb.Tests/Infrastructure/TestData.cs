namespace DeviseWeb.Tests.Infrastructure;

/// <summary>Where the repository and its demo data are, and small real subsets of the demo data for tests.</summary>
public static class TestData
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Built by scripts/build-demo-data.sh (the README's test command runs it first).</summary>
    public static string DemoDirectory => Path.Combine(RepositoryRoot, "data", "demo");

    public static string RequireDemo()
    {
        if (!Directory.Exists(DemoDirectory) || Directory.GetDirectories(DemoDirectory).Length == 0)
            throw new InvalidOperationException($"Demo data missing at {DemoDirectory}: run scripts/build-demo-data.sh first.");
        return DemoDirectory;
    }

    /// <summary>One image of the demo data, e.g. DemoImage("bear", "stamp-bear.png").</summary>
    public static string DemoImage(string label, string fileName) => Path.Combine(RequireDemo(), label, fileName);

    /// <summary>Copies the named demo labels (all their images) into a new temporary folder-per-label dataset.</summary>
    public static string CopySubset(IEnumerable<string> labels)
    {
        var source = RequireDemo();
        var target = NewTemporaryDirectory("subset");
        foreach (var label in labels)
        {
            var from = Path.Combine(source, label);
            if (!Directory.Exists(from)) throw new InvalidOperationException($"Demo label '{label}' not found in {source}.");
            var to = Directory.CreateDirectory(Path.Combine(target, label)).FullName;
            foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        return target;
    }

    public static string NewTemporaryDirectory(string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), "devise-tests", $"{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DeviseWeb.sln"))) return dir.FullName;
        throw new InvalidOperationException("DeviseWeb.sln not found above " + AppContext.BaseDirectory);
    }
}
