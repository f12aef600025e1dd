using System.Security.Cryptography;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Hardening;

/// <summary>What must hold of any store after any crash, checked on a reopened engine both by the verifier and directly.</summary>
public static class StoreAssert
{
    /// <summary>Reads the stored records without the open-time sweep: the state exactly as the crash left it.</summary>
    public static IReadOnlyList<ImageRecord> RecordsAsLeft(string dataDirectory)
    {
        using var database = new DeviseDatabase(Path.Combine(dataDirectory, "devise.db"));
        return database.Collection<ImageRecord>("images").FindAll().ToList();
    }

    /// <summary>Original files on disk (temporary ones aside), relative to the data directory.</summary>
    public static IReadOnlyList<string> OriginalFiles(string dataDirectory)
    {
        var images = Path.Combine(dataDirectory, "images");
        return Directory.Exists(images)
            ? Directory.GetFiles(images, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal))
                .Select(f => Path.GetRelativePath(dataDirectory, f)).Order(StringComparer.Ordinal).ToList()
            : [];
    }

    /// <summary>
    /// The store verifies clean; every record's original exists and hashes to its content; no temporary file, orphan
    /// or duplicate; every image has features and (with an active version) an embedding under it; no job still runs.
    /// Returns the number of images.
    /// </summary>
    public static int Consistent(EngineHost host)
    {
        var report = host.Get<StoreVerifier>().Verify();
        Assert.True(report.Clean, string.Join("\n", report.Problems.Select(p => $"{p.Kind} {p.Subject}: {p.Detail}")));

        var records = host.Get<ImageRepository>().All().ToList();
        foreach (var record in records)
        {
            var path = Path.Combine(host.DataDirectory, record.StoredFile);
            Assert.True(File.Exists(path), $"image #{record.Id}: {record.StoredFile} is missing");
            Assert.Equal(record.ContentHash, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))));
        }
        Assert.Empty(Directory.GetFiles(host.DataDirectory, "*.tmp", SearchOption.AllDirectories));
        Assert.Equal(records.Count, records.Select(r => r.ContentHash).Distinct().Count());
        Assert.Equal(records.Select(r => r.StoredFile).Order(StringComparer.Ordinal), OriginalFiles(host.DataDirectory));
        Assert.Equal(records.Count, host.Get<ImageRepository>().Count);

        var ids = records.Select(r => r.Id).Order().ToList();
        Assert.Equal(ids, host.Get<FeatureStore>().Ids().Order());
        var models = host.Get<ModelService>();
        if (models.ActiveModelId is not null)
        {
            using var lease = models.Acquire();
            Assert.Equal(ids, lease.Model.Index.Ids().Order()); // the active version covers every image, nothing else
        }
        Assert.DoesNotContain(host.Get<JobQueue>().Recent(50), j => j.IsActive);
        return records.Count;
    }

    /// <summary>The one job the killed process ran shows as interrupted.</summary>
    public static void InterruptedJob(EngineHost host, JobKind kind, int jobsBefore)
    {
        var jobs = host.Get<JobQueue>().Recent(50);
        Assert.Equal(jobsBefore + 1, jobs.Count);
        Assert.Equal(kind, jobs[0].Kind);
        Assert.Equal(JobState.Interrupted, jobs[0].State);
    }
}
