using DeviseWeb.Engine;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Tests.Infrastructure;
using DeviseWeb.Tests.Storage;
using LiteDB;

namespace DeviseWeb.Tests.Models;

/// <summary>
/// A version trained with per-domain normalisation, a method that left the product, cannot embed without its scaling:
/// it is listed with its figures but never loaded, and whoever asks is told to train again.
/// </summary>
public sealed class RetiredVersionTests
{
    private static readonly BsonDocument Scaling = new()
    {
        ["Training"] = new BsonDocument { ["Mean"] = new BsonArray(), ["Scale"] = new BsonArray() },
        ["Gallery"] = new BsonDocument { ["Mean"] = new BsonArray(), ["Scale"] = new BsonArray() },
    };

    [Fact]
    public async Task Activate_PerDomainNormalisedVersion_IsRefusedNamingTheVersionAndSayingToTrainAgain()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        int active = engine.Get<ModelService>().ActiveModelId!.Value;
        int retired = ModelRepositoryTests.Insert(engine, ModelRepositoryTests.OldOptions(("NormalizeDomains", true)), Scaling);

        var refused = Assert.Throws<ConflictException>(() => engine.Get<JobQueue>().Enqueue(new JobRequest { Kind = JobKind.Activation, ModelId = retired }));
        var pinned = Assert.Throws<ConflictException>(() => engine.Get<ModelService>().Acquire(retired).Dispose());

        Assert.Contains($"Model version {retired} was trained with per-domain normalisation", refused.Message);
        Assert.Contains("Train a new version", refused.Message);
        Assert.Equal(refused.Message, pinned.Message);
        Assert.Equal(active, engine.Get<ModelService>().ActiveModelId);
        Assert.Equal([active, retired], engine.Get<ModelService>().List().Select(m => m.Id)); // still listed, with its figures
        Assert.Equal(0.41, engine.Get<ModelService>().Get(retired).Evaluation!.PhotoExactPrecisionAt5!.Value);
    }

    [Fact]
    public async Task Open_ActiveVersionIsPerDomainNormalised_StartsWithNoActiveVersionAndStillImports()
    {
        string directory = await TemplateData.CopyAsync();
        try
        {
            int retired;
            await using (var engine = await EngineHost.StartAsync(directory))
            {
                retired = ModelRepositoryTests.Insert(engine, ModelRepositoryTests.OldOptions(("NormalizeDomains", true)), Scaling);
                engine.Get<ModelRepository>().SetActive(retired);
            }

            await using var reopened = await EngineHost.StartAsync(directory);
            var import = await reopened.ImportAsync(TemplateData.NotImportedPath(0), "apple");

            Assert.Null(reopened.Get<ModelService>().ActiveModelId);
            Assert.Contains(retired, reopened.Get<ModelService>().List().Select(m => m.Id));
            Assert.Equal(1, import.Added);
        }
        finally { TemplateData.DeleteQuietly(directory); }
    }
}
