using DeviseWeb.Engine;
using DeviseWeb.Engine.Text;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests;

public sealed class StatusServiceTests
{
    [Fact]
    public async Task Get_Template_CountsImagesLabelsAndVersionsAndNamesWhatServesThem()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        int vocabulary = await engine.Get<KeywordService>().BuildAsync();

        var status = engine.Get<StatusService>().Get();

        Assert.Equal(Path.GetFullPath(engine.DataDirectory), status.DataDirectory);
        Assert.Equal((TemplateData.ImageCount, TemplateData.Labels.Count, 1, 1), (status.ImageCount, status.LabelCount, status.ModelCount, status.ActiveModelId));
        Assert.Equal(TemplateData.ImageCount, status.IndexedCount);
        Assert.Equal(("ResNet18", "all-MiniLM-L6-v2", vocabulary), (status.Backbone, status.TextEncoder, status.VocabularySize));
    }

    [Fact]
    public async Task Get_EmptyDirectory_HasNothingYet()
    {
        await using var engine = await EngineHost.StartEmptyAsync();

        var status = engine.Get<StatusService>().Get();

        Assert.Equal((0, 0, 0, (int?)null, 0, (int?)null), (status.ImageCount, status.LabelCount, status.ModelCount, status.ActiveModelId, status.IndexedCount, status.VocabularySize));
    }
}
