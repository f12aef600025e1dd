using System.Diagnostics;

namespace DeviseWeb.Engine.Storage;

/// <summary>
/// One writer per data directory: an exclusive lock on <c>devise.lock</c> for the life of the process's store,
/// with who holds it written beside it, so a second process (the CLI while the app serves, say) is told clearly.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    private readonly FileStream _lock;
    private readonly string _ownerPath;

    private DataDirectoryLock(FileStream stream, string ownerPath)
    {
        _lock = stream;
        _ownerPath = ownerPath;
    }

    public static DataDirectoryLock Acquire(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        string path = Path.Combine(dataDirectory, "devise.lock"), ownerPath = path + ".owner";
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            using var process = Process.GetCurrentProcess();
            File.WriteAllText(ownerPath, $"process {Environment.ProcessId} ({process.ProcessName}), since {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC");
            return new DataDirectoryLock(stream, ownerPath);
        }
        catch (IOException)
        {
            string owner = File.Exists(ownerPath) ? File.ReadAllText(ownerPath) : "another process";
            throw new DataDirectoryInUseException(
                $"The data directory {Path.GetFullPath(dataDirectory)} is in use by {owner}. Stop it first, or point this one at another directory (--data).");
        }
    }

    public void Dispose()
    {
        try { File.Delete(_ownerPath); }
        catch (IOException) { }
        _lock.Dispose();
    }
}
