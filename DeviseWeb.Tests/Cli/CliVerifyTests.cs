using DeviseWeb.Cli;
using DeviseWeb.Tests.Hardening;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Cli;

/// <summary>verify: a clean store exits 0; damage is listed and exits 1; --repair fixes it and the next check is clean.</summary>
[Collection(CrashStoreCollection.Name)]
public sealed class CliVerifyTests(CrashStoreFixture store) : IDisposable
{
    private readonly string _data = store.CopyStore();

    [Fact]
    public async Task Verify_CleanStore_Exit0SayingSo()
    {
        var run = await CliRunner.RunAsync("verify", "--data", _data);

        Assert.True(run.ExitCode == CliCommands.Done, run.ToString());
        Assert.StartsWith($"The store is clean: {store.StoreImageCount} images checked (model version 1 active) in ", run.Output);
    }

    [Fact]
    public async Task Verify_DamagedStore_Exit1ListingEachThenRepairFixesIt()
    {
        var records = StoreAssert.RecordsAsLeft(_data);
        File.Delete(Path.Combine(_data, Engine.Storage.DataStore.ClosedMarkerName)); // as a crash leaves it
        var altered = Path.Combine(_data, records[0].StoredFile);
        var bytes = File.ReadAllBytes(altered);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(altered, bytes);
        File.Delete(Path.Combine(_data, records[1].StoredFile));
        File.WriteAllBytes(Path.Combine(_data, records[2].StoredFile) + ".abc.tmp", [1]);

        var found = await CliRunner.RunAsync("verify", "--data", _data);
        var repaired = await CliRunner.RunAsync("verify", "--repair", "--data", _data);
        var after = await CliRunner.RunAsync("verify", "--json", "--data", _data);

        Assert.True(found.ExitCode == CliCommands.Failed, found.ToString());
        Assert.Contains("On opening the store: deleted 1 temporary file and 0 orphan originals left by a crash.", found.Output);
        Assert.Contains($"corrupt original   image #{records[0].Id} ({records[0].FileName}): {records[0].StoredFile} does not match its hash", found.Output);
        Assert.Contains($"missing original   image #{records[1].Id} ({records[1].FileName}): {records[1].StoredFile} is missing", found.Output);
        Assert.Contains($"Found 2 problems in {store.StoreImageCount} images (model version 1 active); 2 not repaired: run 'verify --repair'", found.Output);
        Assert.True(repaired.ExitCode == CliCommands.Done, repaired.ToString());
        Assert.Equal(2, repaired.Output.Split("— repaired: image dropped").Length - 1);
        Assert.Contains($"Repaired 2 problems in {store.StoreImageCount} images", repaired.Output);
        Assert.True(after.ExitCode == CliCommands.Done, after.ToString());
        Assert.Empty(after.Json().GetProperty("problems").EnumerateArray());
        Assert.Equal(store.StoreImageCount - 2, after.Json().GetProperty("imagesChecked").GetInt32());
    }

    public void Dispose() => TestData.DeleteQuietly(_data);
}
