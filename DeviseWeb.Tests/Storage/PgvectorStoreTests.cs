using DeviseWeb.Engine;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Storage;

/// <summary>
/// The catalogue in LiteDB and the vectors in PostgreSQL: what a rolled-back write, a crash between the two stores
/// and a store that switches provider leave, and how the engine puts it right.
/// </summary>
[Collection(PgliteCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)]
public sealed class PgvectorStoreTests(PgliteServer server) : IDisposable
{
    private readonly string _directory = TestData.NewTemporaryDirectory("pgvector-store");
    private readonly IndexSettings _settings = server.NewSettings();

    private Task<EngineHost> StartAsync(IndexSettings? index = null) => EngineHost.StartAsync(_directory, o => o.Index = index ?? _settings);

    [Fact]
    public async Task Write_RolledBack_TakesBackItsRowsInPostgres()
    {
        await using var host = await StartAsync();
        var features = host.Get<FeatureStore>();
        var vector = Enumerable.Range(0, 512).Select(i => (float)Math.Sin(i)).ToArray();

        Assert.Throws<InvalidOperationException>(() => host.Get<DeviseDatabase>().Write(() =>
        {
            features.Add(777, vector);
            throw new InvalidOperationException("a later step of the same write failed");
        }));

        Assert.False(features.Contains(777));
        Assert.Equal(0, features.Count);
        Assert.Equal(0, RowCount(Table("features")));
    }

    [Fact]
    public async Task Reopen_AfterACrash_DropsRowsAndTablesTheCatalogueDoesNotKnow()
    {
        int imported;
        await using (var host = await StartAsync())
        {
            imported = (await host.ImportAsync(TestData.CopySubset(["cat"]))).Added;
            Assert.Equal(imported, host.Get<FeatureStore>().Count);
        }
        // What a crash between the two stores leaves: a row whose record never committed, a version's table never listed.
        string features = Table("features");
        Execute($"INSERT INTO \"{_settings.Schema}\".\"{features}\" SELECT 999999, v FROM \"{_settings.Schema}\".\"{features}\" LIMIT 1");
        Execute($"CREATE TABLE \"{_settings.Schema}\".\"stage_left_by_a_crash\" (id integer)");
        File.Delete(Path.Combine(_directory, DataStore.ClosedMarkerName));

        await using (var host = await StartAsync())
        {
            Assert.Equal(imported, host.Get<FeatureStore>().Count);
            Assert.False(host.Get<FeatureStore>().Contains(999999));
            Assert.True(host.Get<StoreVerifier>().Verify().Clean);
        }
        Assert.DoesNotContain(Tables(), t => t.StartsWith("stage_", StringComparison.Ordinal));
        Assert.Equal(imported, RowCount(features));
    }

    [Fact]
    public async Task Verify_RowOfNoImageAfterACleanClose_RepairDeletesIt()
    {
        int imported;
        await using (var host = await StartAsync()) imported = (await host.ImportAsync(TestData.CopySubset(["fish"]))).Added;
        // As a PostgreSQL backup taken after the store's would leave it: the next open has no reason to sweep.
        string features = Table("features");
        Execute($"INSERT INTO \"{_settings.Schema}\".\"{features}\" SELECT 424242, v FROM \"{_settings.Schema}\".\"{features}\" LIMIT 1");

        await using (var host = await StartAsync())
        {
            var found = host.Get<StoreVerifier>().Verify();
            var repaired = host.Get<StoreVerifier>().Verify(repair: true);
            var after = host.Get<StoreVerifier>().Verify();

            Assert.Equal((StoreProblemKind.StrayVector, (int?)424242), (found.Problems.Single().Kind, found.Problems.Single().ImageId));
            Assert.Equal("deleted", repaired.Problems.Single().Repair);
            Assert.True(after.Clean);
        }
        Assert.Equal(imported, RowCount(features));
    }

    /// <summary>Its features are all in PostgreSQL (no segment file, no tail row): the other precision is still refused.</summary>
    [Fact]
    public async Task OpenFeatures_AtTheOtherPrecision_RefusesLikeAStoreInProcess()
    {
        await using (var host = await StartAsync())
            await host.ImportAsync(TestData.CopySubset(["cat"]));

        await using var int8 = await EngineHost.StartAsync(_directory, o => (o.Index, o.BackbonePrecision) = (_settings, BackbonePrecision.Int8));
        var error = Assert.Throws<ConflictException>(() => int8.Get<FeatureStore>().Count);

        Assert.Contains("set it back to Float", error.Message);
        Assert.True(RowCount(Table("features")) > 0);
    }

    [Fact]
    public async Task SwitchToPgvector_AStoreWithVectorsInProcess_CopiesThemOver()
    {
        int imported;
        float[] before;
        await using (var host = await StartAsync(new IndexSettings()))
        {
            imported = (await host.ImportAsync(TestData.CopySubset(["dog"]))).Added;
            before = host.Get<FeatureStore>().Get(host.Get<FeatureStore>().Ids()[0])!;
        }

        await using (var host = await StartAsync())
        {
            var features = host.Get<FeatureStore>();
            Assert.Equal(imported, features.Count);
            Assert.Equal(before, features.Get(features.Ids()[0])!);
        }
        Assert.Equal(imported, RowCount(Table("features")));
    }

    private string Table(string column) => PgliteServer.Table(_settings, column);

    private List<string> Tables() => PgliteServer.Tables(_settings);

    private int RowCount(string table) => PgliteServer.RowCount(_settings, table);

    private void Execute(string sql) => PgliteServer.Scalar(_settings, sql);

    public void Dispose() => TestData.DeleteQuietly(_directory);
}
