using System.Net;
using System.Net.Http.Json;
using DeviseWeb.Api;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>
/// The whole app with <c>Devise:Index:Provider = Pgvector</c>, through its API, over a real PostgreSQL with pgvector
/// (PGlite): import, train, search, delete, a second version activated; then PostgreSQL goes away and comes back.
/// </summary>
[Collection(PgliteCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)]
public sealed class PgvectorAppTests(PgliteServer server)
{
    private static readonly string[] Labels = ["cat", "dog", "fish", "pig", "tree"];
    private static readonly TimeSpan JobGuard = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task ImportTrainSearchDeleteActivate_ThenPostgresDownAndBack()
    {
        var settings = server.NewSettings();
        await using var app = new PgvectorWebApp(settings);
        await ((IAsyncLifetime)app).InitializeAsync();
        using var client = app.CreateClient();

        // Import: every image of five labels, uploaded with its label.
        int uploaded = 0;
        foreach (var label in Labels)
            foreach (var files in TemplateData.Files(label).Chunk(10))
            {
                using var form = new MultipartFormDataContent();
                foreach (var file in files) form.Add(SearchApiTests.ImageContent(file), "files", Path.GetFileName(file));
                form.Add(new StringContent(label), "label");
                uploaded += (await ApiJson.ReadAsync<UploadResponse>(await client.PostAsync("/api/images", form))).Added;
            }
        Assert.Equal(Labels.Sum(TemplateData.CountOf), uploaded);

        // Train and activate the first version.
        var first = await RunAsync(app, client, "/api/training", new TrainingOptions { Epochs = 15, HeldOutLabelCount = 0, Seed = 3 });
        int firstModel = first.Result!.Model!.Id;

        // The vectors are in PostgreSQL, not in the data directory.
        var tables = Tables(settings);
        Assert.Equal(uploaded, RowCount(settings, tables.Single(t => t.Contains("features"))));
        Assert.Equal(uploaded, RowCount(settings, tables.Single(t => t.Contains($"model_{firstModel}_"))));
        Assert.Empty(SegmentFiles(app.DataDirectory));

        // Search: a label's own images come first.
        var cats = await SearchAsync(client, "cat");
        Assert.Equal(firstModel, cats.ModelId);
        Assert.True(cats.Hits.Count(h => h.Image.Label == "cat") >= 4, Describe(cats));

        // Delete: the image leaves the results and its rows leave PostgreSQL.
        int gone = cats.Hits[0].Image.Id;
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/images/{gone}")).StatusCode);
        Assert.DoesNotContain((await SearchAsync(client, "cat", k: 50)).Hits, h => h.Image.Id == gone);
        Assert.Equal(uploaded - 1, RowCount(settings, tables.Single(t => t.Contains("features"))));

        // A second version, trained without activating, then activated: it was written whole into its own table.
        var second = await RunAsync(app, client, "/api/training", new TrainingOptions { Epochs = 15, HeldOutLabelCount = 0, Seed = 4, Activate = false });
        int secondModel = second.Result!.Model!.Id;
        Assert.Equal(firstModel, (await SearchAsync(client, "dog")).ModelId);
        await RunAsync(app, client, $"/api/models/{secondModel}/activate", body: null);
        var dogs = await SearchAsync(client, "dog");
        Assert.Equal(secondModel, dogs.ModelId);
        Assert.True(dogs.Hits.Count(h => h.Image.Label == "dog") >= 4, Describe(dogs));
        Assert.Equal(uploaded - 1, RowCount(settings, Tables(settings).Single(t => t.Contains($"model_{secondModel}_"))));

        // PostgreSQL goes away: searches and uploads answer 503 naming the index, and nothing is written.
        var gallery = app.Services.GetRequiredService<GalleryService>();
        int images = gallery.Count;
        int originals = Directory.GetFiles(Path.Combine(app.DataDirectory, "images"), "*", SearchOption.AllDirectories).Length;
        server.Stop();
        try
        {
            var search = await ApiJson.ReadProblemAsync(await client.GetAsync("/api/search?q=cat&k=5"), HttpStatusCode.ServiceUnavailable);
            Assert.Contains("PostgreSQL", search.Detail);
            using (var form = new MultipartFormDataContent())
            {
                form.Add(SearchApiTests.ImageContent(WebTestData.NewImagePath(0)), "files", "apple.png");
                form.Add(new StringContent("apple"), "label");
                var upload = await ApiJson.ReadProblemAsync(await client.PostAsync("/api/images", form), HttpStatusCode.ServiceUnavailable);
                Assert.Contains("vector index", upload.Detail);
            }
            var delete = await ApiJson.ReadProblemAsync(await client.DeleteAsync($"/api/images/{dogs.Hits[0].Image.Id}"), HttpStatusCode.ServiceUnavailable);
            Assert.Contains("PostgreSQL", delete.Detail);
            using var health = await client.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Contains("unreachable", await health.Content.ReadAsStringAsync());

            Assert.Equal(images, gallery.Count);
            Assert.Equal(originals, Directory.GetFiles(Path.Combine(app.DataDirectory, "images"), "*", SearchOption.AllDirectories).Length);
        }
        finally
        {
            await server.StartAsync();
        }

        // Back: the refused delete did not happen, the upload goes through now, and searches answer again.
        Assert.Contains((await SearchAsync(client, "dog")).Hits, h => h.Image.Id == dogs.Hits[0].Image.Id);
        using (var form = new MultipartFormDataContent())
        {
            form.Add(SearchApiTests.ImageContent(WebTestData.NewImagePath(0)), "files", "apple.png");
            form.Add(new StringContent("apple"), "label");
            Assert.Equal(1, (await ApiJson.ReadAsync<UploadResponse>(await client.PostAsync("/api/images", form))).Added);
        }
        Assert.Equal(images + 1, RowCount(settings, Tables(settings).Single(t => t.Contains("features"))));
        Assert.Equal(images + 1, RowCount(settings, Tables(settings).Single(t => t.Contains($"model_{secondModel}_"))));
    }

    /// <summary>Starts a job through the API and waits for it to finish.</summary>
    private static async Task<JobInfo> RunAsync(PgvectorWebApp app, HttpClient client, string url, TrainingOptions? body)
    {
        using var response = body is null ? await client.PostAsync(url, null) : await client.PostAsJsonAsync(url, body, ApiJson.Options);
        var job = await ApiJson.ReadAsync<JobInfo>(response, HttpStatusCode.Accepted);
        var done = await app.Services.GetRequiredService<JobQueue>().WaitAsync(job.Id).WaitAsync(JobGuard);
        Assert.True(done.State == JobState.Finished, $"{url}: {done.State} {done.Error}");
        return (await client.GetFromJsonAsync<JobInfo>($"/api/jobs/{job.Id}", ApiJson.Options))!;
    }

    private static async Task<SearchResponse> SearchAsync(HttpClient client, string words, int k = 5) =>
        await ApiJson.ReadAsync<SearchResponse>(await client.GetAsync($"/api/search?q={Uri.EscapeDataString(words)}&k={k}"));

    private static string Describe(SearchResponse result) => string.Join(", ", result.Hits.Select(h => $"{h.Image.Label} {h.Score:F3}"));

    private static List<string> Tables(IndexSettings settings) => PgliteServer.Tables(settings);

    private static int RowCount(IndexSettings settings, string table) => PgliteServer.RowCount(settings, table);

    private static string[] SegmentFiles(string dataDirectory)
    {
        var folder = Path.Combine(dataDirectory, "vectors");
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories) : [];
    }

    /// <summary>The app over a new, empty data directory, its vectors in PostgreSQL.</summary>
    private sealed class PgvectorWebApp(IndexSettings index) : DeviseWebFactory
    {
        protected override Task<string> CreateDataDirectoryAsync() => Task.FromResult(TestData.NewTemporaryDirectory("pgvector-app"));

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Devise:Index:Provider", index.Provider.ToString());
            builder.UseSetting("Devise:Index:ConnectionString", index.ConnectionString);
            builder.UseSetting("Devise:Index:Schema", index.Schema);
        }
    }
}
