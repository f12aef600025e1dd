using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Storage;

/// <summary>Image records: ids come from a counter that never goes back, so a link to a deleted image never shows another.</summary>
public sealed class ImageRepositoryTests
{
    [Fact]
    public async Task Add_AfterTheHighestIdWasDeletedAndTheStoreReopened_NeverReusesIt()
    {
        var directory = await TemplateData.CopyAsync();
        try
        {
            int highest;
            await using (var engine = await EngineHost.StartAsync(directory))
            {
                highest = engine.Get<ImageRepository>().All().Max(i => i.Id);
                engine.Get<GalleryService>().Delete([highest]);
            }

            await using var reopened = await EngineHost.StartAsync(directory);
            await using var photo = File.OpenRead(TemplateData.NotImportedPath(0));
            var added = await reopened.Get<ImportService>().ImportStreamAsync(photo, "apple.png", "apple");

            Assert.Equal(highest + 1, added.Image!.Id);
            Assert.Null(reopened.Get<GalleryService>().Find(highest));
        }
        finally
        {
            TemplateData.DeleteQuietly(directory);
        }
    }

    [Fact]
    public async Task LabelCounts_AddsAndDeletes_StayEqualToTheRecords()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var images = engine.Get<ImageRepository>();
        var gallery = engine.Get<GalleryService>();
        gallery.Delete(images.IdsOf("moon").Take(2).ToList());
        gallery.Relabel(images.IdsOf("cat").Take(1).ToList(), "moon");
        gallery.RenameLabel("whale", "orca");

        var counted = images.All().GroupBy(i => i.Label).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(counted.OrderBy(p => p.Key, StringComparer.Ordinal), images.LabelCounts().Select(l => KeyValuePair.Create(l.Label, l.Count)));
        Assert.Equal(counted.Values.Sum(), images.Count);
    }
}
