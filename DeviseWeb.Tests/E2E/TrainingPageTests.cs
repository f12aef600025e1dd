using System.Net.Http.Json;
using System.Text.Json;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Tests.Web.Integration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.E2E;

[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.E2E)]
public sealed class TrainingPageTests(BrowserFixture browser) : IAsyncLifetime
{
    private const int Epochs = 25;
    private IPage _page = null!;

    // Every change of the progress bar's value and the chart's point count, recorded in the page as it happens.
    private const string RecordChanges = """
        () => {
          window.__seen = { progress: [], points: [] };
          const read = () => {
            const bar = document.querySelector('[data-testid="training-progress"]');
            const valueOf = el => el && (el.getAttribute('aria-valuenow') ?? el.querySelector('[aria-valuenow]')?.getAttribute('aria-valuenow'));
            const progress = valueOf(bar);
            const points = document.querySelector('[data-testid="loss-chart"]')?.getAttribute('data-points');
            const push = (list, value) => { if (value != null && list[list.length - 1] !== value) list.push(value); };
            push(window.__seen.progress, progress);
            push(window.__seen.points, points);
          };
          read();
          new MutationObserver(read).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow', 'data-points'] });
        }
        """;

    public async Task InitializeAsync() => _page = await browser.NewPageAsync();

    [Fact]
    public async Task StartTraining_ShortRun_ProgressAndLossChartGrowUntilDone()
    {
        // Arrange
        int templateModel = await ActiveModelIdAsync();
        await _page.GotoInteractiveAsync("/training");
        await _page.GetByLabel("Epochs").FillAsync(Epochs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await _page.GetByLabel("Batch size").FillAsync("4"); // many small steps: a run of a few seconds
        await _page.GetByLabel("Held-out labels").FillAsync("1");
        await _page.GetByLabel("Seed").FillAsync("5");
        int versions = await _page.GetByTestId("run-row").CountAsync();
        await _page.EvaluateAsync(RecordChanges);
        try
        {
            // Act
            await _page.GetByRole(AriaRole.Button, new() { Name = "Start training" }).ClickAsync();

            // Assert: the run ends with every epoch on the chart and the bar full, having grown on the way.
            await Expect(_page.GetByTestId("loss-chart")).ToHaveAttributeAsync("data-points", Epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
                new() { Timeout = 60_000 });
            await Expect(_page.GetByTestId("training-state")).ToHaveTextAsync("Finished", new() { Timeout = 30_000 });
            await Expect(_page.GetByTestId("training-log")).ToContainTextAsync("Finished: model version");
            await Expect(_page.GetByTestId("run-row")).ToHaveCountAsync(versions + 1);
            await browser.ScreenshotAsync(_page, "training");

            var seen = await _page.EvaluateAsync<JsonElement>("() => window.__seen");
            var points = seen.GetProperty("points").EnumerateArray().Select(p => int.Parse(p.GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            var progress = seen.GetProperty("progress").EnumerateArray().Select(p => double.Parse(p.GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            var run = points.SkipWhile(p => p != 0).ToList(); // from the start of this run
            Assert.True(run.Count(p => p > 0 && p < Epochs) >= 2, $"the chart grew point by point: {string.Join(",", points)}");
            Assert.Equal(run.Order(), run);
            Assert.Equal(Epochs, run[^1]);
            Assert.Contains(progress, p => p > 0 && p < 100);
            Assert.Equal(100, progress[^1], precision: 3);
        }
        finally
        {
            await ActivateAsync(templateModel); // later tests search with the template's model
        }
    }

    private async Task<int> ActiveModelIdAsync()
    {
        using var client = new HttpClient { BaseAddress = browser.App.RootUri };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", browser.App.AdminKey);
        var models = await client.GetFromJsonAsync<List<ModelVersionInfo>>("api/models", ApiJson.Options);
        return models!.Single(m => m.IsActive).Id;
    }

    private async Task ActivateAsync(int modelId)
    {
        using var client = new HttpClient { BaseAddress = browser.App.RootUri };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", browser.App.AdminKey);
        var response = await client.PostAsync($"api/models/{modelId}/activate", null);
        var job = await ApiJson.ReadAsync<JobInfo>(response, System.Net.HttpStatusCode.Accepted);
        await browser.App.Services.GetRequiredService<JobQueue>().WaitAsync(job.Id);
        Assert.Equal(modelId, await ActiveModelIdAsync());
    }

    public async Task DisposeAsync() => await _page.Context.CloseAsync();
}
