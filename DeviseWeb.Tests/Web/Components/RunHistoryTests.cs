using Bunit;
using DeviseWeb.Components.Pages.Training;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Web.Components;

[Collection(TrainedEngineCollection.Name)]
public sealed class RunHistoryTests(TrainedEngineFixture fixture) : BunitTestBase
{
    [Fact]
    public void Render_ListsEveryVersionWithMetricsAndMarksTheActiveOne()
    {
        AddDeviseServices(fixture.Engine);

        var cut = Context.Render<RunHistory>();

        var rows = cut.FindAll("[data-testid=run-history] tr[data-testid=run-row]");
        Assert.Equal(fixture.Engine.ListModels().Count, rows.Count);
        var active = rows.Single(r => r.GetAttribute("data-model-id") == fixture.Engine.ActiveModel!.Record.Id.ToString());
        Assert.Contains("Active", active.TextContent);
        Assert.Contains("chance", active.TextContent);
        Assert.Contains("15 epochs", active.TextContent);
    }
}
