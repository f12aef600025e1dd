using DeviseWeb.Engine;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Storage;

/// <summary>
/// A delete racing an activation's catch-up (Storage/README.md): the deleted image never comes back into the
/// version's index, in memory or in its column. Each interleaving is forced with fault points, not timing.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Slow)]
public sealed class CommitOrderTests
{
    private static readonly TrainingOptions Short = new() { Epochs = 3, HeldOutLabelCount = 0, Activate = false };

    [Fact]
    public async Task Delete_CommittedRightAfterACatchUpBatchThatAddsTheImage_LeavesTheActivatedIndexWithoutIt()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var models = engine.Get<ModelService>();
        var gallery = engine.Get<GalleryService>();
        var older = await engine.TrainAsync(Short with { Seed = 21 });
        int upload = await UploadAsync(engine); // embedded by the active version only: the older one's catch-up adds it
        var delete = new TaskCompletionSource<Task<IReadOnlyList<int>>>(TaskCreationOptions.RunContinuationsAsynchronously);

        // The catch-up batch has committed and is not yet published: the delete starts, and the batch goes on once
        // the delete has finished or is waiting for the store's lock.
        await Intercepted(point =>
        {
            if (point != FaultPoints.WriteCommitted || delete.Task.IsCompleted) return;
            var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var running = Intercepted(p => { if (p == FaultPoints.WriteLockContended) waiting.TrySetResult(); },
                () => Task.FromResult(gallery.Delete([upload])));
            delete.SetResult(running);
            Task.WaitAny(running, waiting.Task);
        }, () => models.ActivateAsync(older.Id, null, CancellationToken.None));
        var deleted = await await delete.Task;

        Assert.Equal([upload], deleted);
        using var lease = models.Acquire();
        Assert.Equal(older.Id, lease.Model.Id);
        Assert.False(lease.Model.Index.Contains(upload), $"Deleted image {upload} is back in version {older.Id}'s index.");
        Assert.Equal(gallery.Count, lease.Model.Index.Count);
    }

    [Fact]
    public async Task Delete_BetweenACatchUpBatchsEmbeddingAndItsWrite_KeepsTheImageOutOfTheVersionAndItsColumn()
    {
        string data = await TemplateData.CopyAsync("commit-order");
        try
        {
            int upload, older;
            await using (var engine = await EngineHost.StartAsync(data))
            {
                var models = engine.Get<ModelService>();
                var gallery = engine.Get<GalleryService>();
                older = (await engine.TrainAsync(Short with { Seed = 22 })).Id;
                upload = await UploadAsync(engine);
                IReadOnlyList<int>? deleted = null;

                await Intercepted(point =>
                {
                    if (point != FaultPoints.CatchUpBatchEmbedded || deleted is not null) return;
                    deleted = Intercepted(_ => { }, () => Task.FromResult(gallery.Delete([upload]))).GetAwaiter().GetResult();
                }, () => models.ActivateAsync(older, null, CancellationToken.None));

                Assert.Equal([upload], deleted);
                using var lease = models.Acquire();
                Assert.Equal(older, lease.Model.Id);
                Assert.False(lease.Model.Index.Contains(upload), $"Deleted image {upload} is back in version {older}'s index.");
                Assert.Equal(gallery.Count, lease.Model.Index.Count);
            }

            await using var reopened = await EngineHost.StartAsync(data);
            using var again = reopened.Get<ModelService>().Acquire();
            Assert.Equal(older, again.Model.Id);
            Assert.False(again.Model.Index.Contains(upload), $"Deleted image {upload} is back in version {older}'s column.");
            Assert.Equal(reopened.Get<GalleryService>().Count, again.Model.Index.Count);
        }
        finally
        {
            TemplateData.DeleteQuietly(data);
        }
    }

    private static async Task<int> UploadAsync(EngineHost engine)
    {
        await using var photo = File.OpenRead(TemplateData.NotImportedPath(1));
        return (await engine.Get<ImportService>().ImportStreamAsync(photo, "rabbit.png", "rabbit")).Image!.Id;
    }

    /// <summary>
    /// Runs work on the thread pool with <paramref name="onHit"/> seeing the fault points it passes (and only those:
    /// the caller's context is not flowed, so work started here with a no-op hook sees none of an outer one's).
    /// </summary>
    internal static Task<T> Intercepted<T>(Action<string> onHit, Func<Task<T>> work)
    {
        using (ExecutionContext.SuppressFlow())
            return Task.Run(() =>
            {
                using var hook = FaultPoints.Intercept(onHit);
                return work();
            });
    }
}
