using DeviseWeb.Engine;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Storage;

/// <summary>Opening a data directory: one process at a time, and what it holds survives a reopen.</summary>
public sealed class DataStoreTests : IDisposable
{
    private readonly string _directory = TestData.NewTemporaryDirectory("store");

    private EngineOptions Options => new() { DataDirectory = _directory };

    [Fact]
    public void Constructor_DirectoryAlreadyOpen_ThrowsInUseNamingTheHolder()
    {
        using var holder = new DataStore(Options);

        var error = Assert.Throws<DataDirectoryInUseException>(() => new DataStore(Options));

        Assert.Contains($"process {Environment.ProcessId}", error.Message);
        Assert.Contains(Path.GetFullPath(_directory), error.Message);
    }

    [Fact]
    public void Constructor_AfterTheHolderIsDisposed_Opens()
    {
        new DataStore(Options).Dispose();

        using var reopened = new DataStore(Options);

        Assert.Equal(Path.GetFullPath(Path.Combine(_directory, "devise.db")), reopened.Database.Path);
    }

    [Fact]
    public async Task StartAsync_SecondHostOnTheSameDirectory_ThrowsInUse()
    {
        await using var first = await EngineHost.StartAsync(_directory);

        await Assert.ThrowsAsync<DataDirectoryInUseException>(() => EngineHost.StartAsync(_directory));

        Assert.Equal(0, first.Get<Engine.Gallery.GalleryService>().Count);
    }

    [Fact]
    public async Task Reopen_SameDataDirectory_KeepsTheActiveVersionAndGivesTheSameSearchResults()
    {
        var directory = await TemplateData.CopyAsync();
        try
        {
            List<(int, float)> before;
            int? active;
            await using (var engine = await EngineHost.StartAsync(directory))
            {
                before = (await engine.Get<SearchService>().SearchTextAsync("a boat on the sea", k: 8)).Hits.Select(h => (h.Image.Id, h.Score)).ToList();
                active = engine.Get<ModelService>().ActiveModelId;
            }

            await using var reopened = await EngineHost.StartAsync(directory);

            var after = (await reopened.Get<SearchService>().SearchTextAsync("a boat on the sea", k: 8)).Hits.Select(h => (h.Image.Id, h.Score)).ToList();
            Assert.Equal(8, after.Count);
            Assert.Equal(before, after);
            Assert.Equal(active, reopened.Get<ModelService>().ActiveModelId);
        }
        finally
        {
            TemplateData.DeleteQuietly(directory);
        }
    }

    public void Dispose() => TemplateData.DeleteQuietly(_directory);
}
