using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Tests.Infrastructure;
using LiteDB;

namespace DeviseWeb.Tests.Storage;

/// <summary>A store from the release that had augmented views opens without them: their columns and segment files go, once.</summary>
public sealed class RetiredColumnsTests
{
    [Fact]
    public async Task Open_StoreWithAugmentedViewColumns_DropsThemWithTheirFilesAndKeepsEverythingElse()
    {
        // Arrange: the template, plus two view columns as the views job left them (one sealed into a file, one only in the tail).
        string directory = await TemplateData.CopyAsync();
        try
        {
            string segment = Path.Combine(directory, "vectors", "views_ResNet18_512_white_0", "segment-1.bin");
            Directory.CreateDirectory(Path.GetDirectoryName(segment)!);
            await File.WriteAllBytesAsync(segment, new byte[4096]);
            int images;
            await using (var engine = await EngineHost.StartAsync(directory))
            {
                images = engine.Get<FeatureStore>().Ids().Count;
                var lite = engine.Get<DeviseDatabase>().Lite;
                lite.GetCollection<VectorColumnRecord>("vector_columns").Insert(new VectorColumnRecord
                    { Id = "views/ResNet18:512/white/0", Dimension = 512, Segments = [Path.GetRelativePath(directory, segment)] });
                lite.GetCollection<VectorColumnRecord>("vector_columns").Insert(new VectorColumnRecord { Id = "views/ResNet18:512/white/1", Dimension = 512 });
                lite.GetCollection<VectorTailRecord>("vector_tail").Insert(new VectorTailRecord
                    { Id = "views/ResNet18:512/white/1|1", Column = "views/ResNet18:512/white/1", ImageId = 1, Vector = new byte[2048] });
            }

            // Act
            await using var reopened = await EngineHost.StartAsync(directory);

            // Assert
            var columns = reopened.Get<VectorColumnStore>().ColumnNames();
            Assert.DoesNotContain(columns, c => c.StartsWith("views/", StringComparison.Ordinal));
            Assert.Contains(columns, c => c.StartsWith("features/", StringComparison.Ordinal));
            Assert.False(File.Exists(segment));
            Assert.False(Directory.Exists(Path.GetDirectoryName(segment)));
            Assert.Equal(0, reopened.Get<DeviseDatabase>().Lite.GetCollection<VectorTailRecord>("vector_tail").Count(Query.EQ("Column", "views/ResNet18:512/white/1")));
            Assert.Equal(images, reopened.Get<FeatureStore>().Ids().Count);
            Assert.NotEmpty((await reopened.Get<SearchService>().SearchTextAsync("a dog", k: 3)).Hits);
        }
        finally { TemplateData.DeleteQuietly(directory); }
    }
}
