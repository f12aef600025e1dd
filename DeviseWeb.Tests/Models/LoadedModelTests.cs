using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Storage;

namespace DeviseWeb.Tests.Models;

/// <summary>A loaded version's head is loaded on first use, and a load that failed is tried again.</summary>
public sealed class LoadedModelTests
{
    [Fact]
    public void Embed_AfterTheHeadFailedToLoad_LoadsItAgain()
    {
        int loads = 0;
        var model = new LoadedModel(new ModelRecord { Id = 7 }, new InProcessVectorIndex(4),
            () => throw new IOException($"load {++loads} failed"), _ => { });

        var first = Assert.Throws<IOException>(() => model.Embed([new float[4]]));
        var second = Assert.Throws<IOException>(() => model.Embed([new float[4]]));
        model.Release();

        Assert.Equal("load 1 failed", first.Message);
        Assert.Equal("load 2 failed", second.Message);
        Assert.Equal(2, loads);
    }
}
