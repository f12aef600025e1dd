using System.Security.Cryptography;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Search;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Search;

/// <summary>Photos uploaded to search with: content-addressed, and bounded in number and in age.</summary>
public sealed class ReferencePhotosTests
{
    private static readonly string[] Photos =
    [
        TestData.DemoImage("bear", "photo-bear.png"),
        TemplateData.NotImportedPath(0),
        TemplateData.NotImportedPath(1),
    ];

    [Fact]
    public async Task StoreAsync_RealPhoto_KeepsItUnderItsContentHash()
    {
        await using var engine = await EngineHost.StartEmptyAsync();
        var references = engine.Get<ReferencePhotos>();

        var hash = await StoreAsync(references, Photos[0]);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Photos[0]))), hash);
        Assert.True(references.Exists(hash));
        Assert.Equal(File.ReadAllBytes(Photos[0]), File.ReadAllBytes(references.PathFor(hash)));
        Assert.Equal(512, (await references.FeaturesOfAsync(hash)).Length);
    }

    [Fact]
    public async Task StoreAsync_NotAnImage_IsRejectedAndKeepsNothing()
    {
        await using var engine = await EngineHost.StartEmptyAsync();
        var references = engine.Get<ReferencePhotos>();
        await using var text = new MemoryStream("not a photo"u8.ToArray());

        var error = await Assert.ThrowsAsync<ImageRejectedException>(() => references.StoreAsync(text, "notes.png"));

        Assert.Contains("not a supported image", error.Reason);
        Assert.Equal(0, CountFiles(engine));
    }

    [Fact]
    public async Task PathFor_UnknownOrMalformedHash_ThrowsNotFound()
    {
        await using var engine = await EngineHost.StartEmptyAsync();
        var references = engine.Get<ReferencePhotos>();

        Assert.Throws<NotFoundException>(() => references.PathFor(new string('a', 64)));
        Assert.Throws<NotFoundException>(() => references.PathFor("../devise.db"));
        Assert.False(references.Exists("../devise.db"));
    }

    [Fact]
    public async Task StoreAsync_BeyondTheLimit_DeletesTheLeastRecentlyUsedFirst()
    {
        await using var engine = await EngineHost.StartEmptyAsync(o => o.ReferencePhotoLimit = 2);
        var references = engine.Get<ReferencePhotos>();
        var first = await StoreAsync(references, Photos[0]);
        var second = await StoreAsync(references, Photos[1]);
        File.SetLastWriteTimeUtc(references.PathFor(first), DateTime.UtcNow.AddHours(-2));
        File.SetLastWriteTimeUtc(references.PathFor(second), DateTime.UtcNow.AddHours(-1));
        await references.FeaturesOfAsync(first); // a search with it: now the most recently used of the two

        var third = await StoreAsync(references, Photos[2]);

        Assert.True(references.Exists(first));
        Assert.False(references.Exists(second));
        Assert.True(references.Exists(third));
        Assert.Equal(2, CountFiles(engine));
        await Assert.ThrowsAsync<NotFoundException>(() => references.FeaturesOfAsync(second));
    }

    [Fact]
    public async Task StoreAsync_PhotoUnusedPastTheExpiry_DeletesIt()
    {
        await using var engine = await EngineHost.StartEmptyAsync(o => o.ReferencePhotoDays = 1);
        var references = engine.Get<ReferencePhotos>();
        var old = await StoreAsync(references, Photos[0]);
        var recent = await StoreAsync(references, Photos[1]);
        File.SetLastWriteTimeUtc(references.PathFor(old), DateTime.UtcNow.AddDays(-2));
        File.SetLastWriteTimeUtc(references.PathFor(recent), DateTime.UtcNow.AddHours(-20));

        var newest = await StoreAsync(references, Photos[2]);

        Assert.False(references.Exists(old));
        Assert.True(references.Exists(recent));
        Assert.True(references.Exists(newest));
    }

    private static async Task<string> StoreAsync(ReferencePhotos references, string path)
    {
        await using var stream = File.OpenRead(path);
        return await references.StoreAsync(stream, Path.GetFileName(path));
    }

    private static int CountFiles(EngineHost engine)
    {
        var folder = Path.Combine(engine.DataDirectory, "references");
        return Directory.Exists(folder) ? Directory.GetFiles(folder).Length : 0;
    }
}
