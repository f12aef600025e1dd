using System.Diagnostics;
using DeviseWeb.Engine.Gallery;

namespace DeviseWeb.Tests.Infrastructure;

/// <summary>Where the repository and its demo data are, and small real subsets of the demo data for tests.</summary>
public static class TestData
{
    /// <summary>The web project's own build output in the configuration the tests were built in; the copy in the test output otherwise.</summary>
    public static string AppDll()
    {
        // The tests' output is <project>/bin/<configuration>/<framework>[/<runtime>]/; the app's mirrors it.
        string testOutput = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        string testBin = Path.Combine(RepositoryRoot, "DeviseWeb.Tests", "bin");
        string own = Path.Combine(RepositoryRoot, "DeviseWeb", "bin", Path.GetRelativePath(testBin, testOutput), "DeviseWeb.dll");
        foreach (var dll in new[] { own, Path.Combine(AppContext.BaseDirectory, "DeviseWeb.dll") })
            if (File.Exists(dll) && File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json"))) return dll;
        throw new InvalidOperationException($"DeviseWeb.dll with its runtimeconfig not found at {own}: build the solution first.");
    }

    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>
    /// Built by scripts/build-demo-data.sh (the README's test command runs it first): data/demo, or the folder
    /// DEVISE_DEMO_DATA names (a private build, while the shared one is of an older version).
    /// </summary>
    public static string DemoDirectory =>
        Environment.GetEnvironmentVariable("DEVISE_DEMO_DATA") is { Length: > 0 } own ? Path.GetFullPath(own) : Path.Combine(RepositoryRoot, "data", "demo");

    public static string RequireDemo()
    {
        if (!Directory.Exists(DemoDirectory) || Directory.GetDirectories(DemoDirectory).Length == 0)
            throw new InvalidOperationException($"Demo data missing at {DemoDirectory}: run scripts/build-demo-data.sh first.");
        if (!File.Exists(Path.Combine(DemoDirectory, Engine.Evaluation.EverydayWords.FileName)))
            throw new InvalidOperationException($"Demo data at {DemoDirectory} predates its harder evaluation set (version 5): run scripts/build-demo-data.sh again.");
        return DemoDirectory;
    }

    /// <summary>The demo's evaluation-only images, as "&lt;label folder&gt;/&lt;file&gt;" (its evaluation.txt).</summary>
    public static IReadOnlySet<string> DemoEvaluationImages() =>
        File.ReadLines(Path.Combine(RequireDemo(), DatasetFolder.EvaluationFileName)).Where(l => l.Length > 0 && l[0] != '#').ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Writes a copied dataset's evaluation.txt: the demo's evaluation-only images that the copy holds, so a copy marks
    /// them as the demo does. Without any, no list is written. Returns the dataset's path.
    /// </summary>
    public static string WriteEvaluationList(string dataset)
    {
        var path = Path.Combine(dataset, DatasetFolder.EvaluationFileName);
        var lines = DemoEvaluationImages().Where(entry => File.Exists(Path.Combine(dataset, entry))).Order(StringComparer.Ordinal).ToList();
        if (lines.Count > 0) File.WriteAllLines(path, lines);
        else File.Delete(path);
        return dataset;
    }

    /// <summary>One image of the demo data, e.g. DemoImage("bear", "photo-bear.png").</summary>
    public static string DemoImage(string label, string fileName) => Path.Combine(RequireDemo(), label, fileName);

    /// <summary>
    /// Copies the named demo labels (all their images) into a new temporary folder-per-label dataset, without the demo's
    /// evaluation list: <see cref="WriteEvaluationList"/> adds it.
    /// </summary>
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

    /// <summary>A new folder in this run's scratch folder.</summary>
    public static string NewTemporaryDirectory(string purpose)
    {
        var path = Path.Combine(RunDirectory.Value, $"{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Makes a FIFO with the system's mkfifo (.NET has no call for it).</summary>
    public static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path])!;
        mkfifo.WaitForExit();
        if (mkfifo.ExitCode != 0) throw new InvalidOperationException($"mkfifo {path} exited {mkfifo.ExitCode}.");
    }

    public static void DeleteQuietly(string directory)
    {
        try { if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true); }
        catch (IOException) { /* a temp folder left behind is harmless */ }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// Everything a run writes goes under one folder named by its process, and the folders of earlier runs whose
    /// process has ended are deleted when the next run starts: the test host may be ended before any clean-up of
    /// its own runs, and the template and dataset copies would pile up.
    /// </summary>
    private static readonly Lazy<string> RunDirectory = new(() =>
    {
        var root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "devise-tests")).FullName;
        foreach (var folder in Directory.GetDirectories(root, "run-*"))
            if (int.TryParse(Path.GetFileName(folder)["run-".Length..], out int pid) && (pid == Environment.ProcessId || !IsRunning(pid)))
                DeleteQuietly(folder);
        var run = Directory.CreateDirectory(Path.Combine(root, $"run-{Environment.ProcessId}")).FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteQuietly(run);
        return run;
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DeviseWeb.sln"))) return dir.FullName;
        throw new InvalidOperationException("DeviseWeb.sln not found above " + AppContext.BaseDirectory);
    }
}
