using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Tests.Infrastructure;
using DeviseWeb.Tests.Web.Integration;
using Xunit.Abstractions;

namespace DeviseWeb.Tests.Hardening;

/// <summary>
/// The whole corpus posted to the real app in its own process, four uploads at a time, while a client keeps searching:
/// every answer is a clean import or a clean 4xx with the reason, search never stops answering, the process's peak
/// memory stays bounded, and no hostile name reaches a path or a header.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Slow)]
public sealed class HostileUploadTests(ITestOutputHelper output)
{
    private const long PeakMemoryLimit = 1536L << 20;
    private const int UploadsAtOnce = 4;

    private sealed record Answer(HttpStatusCode Status, string Body, IReadOnlyList<string> HeaderValues);

    [Fact]
    public async Task Upload_HostileCorpusFourAtATime_AnswersCleanlyWhileSearchKeepsWorkingInBoundedMemory()
    {
        // Arrange: every file built before the app starts, so generating them costs the app nothing.
        foreach (var hostile in HostileCorpus.All) _ = hostile.Bytes;
        var data = await TemplateData.CopyAsync("hardening-web");
        try
        {
            await using var app = await AppProcess.StartAsync(data, TimeSpan.FromSeconds(90));
            using var http = app.CreateClient(TimeSpan.FromSeconds(120));
            using var stopSearching = new CancellationTokenSource();
            var searches = KeepSearchingAsync(http, stopSearching.Token);

            using (var warm = await http.GetAsync("/api/search?q=dog&k=5")) Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
            long before = app.PeakResidentBytes();

            // Act
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var answers = new ConcurrentDictionary<string, Answer>();
            await Parallel.ForEachAsync(HostileCorpus.All, new ParallelOptions { MaxDegreeOfParallelism = UploadsAtOnce },
                async (hostile, cancellationToken) => answers[hostile.Id] = await UploadAsync(http, hostile, cancellationToken));
            await stopSearching.CancelAsync();
            var searchStatuses = await searches;
            long peak = app.PeakResidentBytes();
            output.WriteLine($"{HostileCorpus.All.Count} uploads in {clock.Elapsed.TotalSeconds:0.0} s, {searchStatuses.Count} searches, peak RSS {peak >> 20} MB ({before >> 20} MB after start and a first search)");

            // Assert
            Assert.False(app.HasExited, "the app died:\n" + app.RecentOutput);
            foreach (var hostile in HostileCorpus.All) AssertCleanAnswer(hostile, answers[hostile.Id]);
            Assert.True(searchStatuses.Count >= 3, $"only {searchStatuses.Count} searches ran");
            Assert.All(searchStatuses, status => Assert.Equal(HttpStatusCode.OK, status));
            Assert.True(peak < PeakMemoryLimit, $"peak resident memory {peak >> 20} MB (limit {PeakMemoryLimit >> 20} MB)");
            await AssertBmpOriginalIsServedAsBmpAsync(http, answers["bmp-renamed-jpg"], HostileCorpus.Get("bmp-renamed-jpg").Bytes);
            AssertNoNameEscaped(data);
        }
        finally
        {
            TemplateData.DeleteQuietly(data);
        }
    }

    private static async Task<Answer> UploadAsync(HttpClient http, HostileCase hostile, CancellationToken cancellationToken)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(hostile.Bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png"); // clients lie about types; the app must not care
        // filename* (RFC 5987) carries CR, LF, NUL and escape codes through multipart exactly as a hostile client would.
        file.Headers.TryAddWithoutValidation("Content-Disposition", $"form-data; name=\"files\"; filename*=UTF-8''{Uri.EscapeDataString(hostile.FileName)}");
        form.Add(file);
        if (hostile.Label is not null) form.Add(new StringContent(hostile.Label), "label");
        using var response = await http.PostAsync("/api/images", form, cancellationToken);
        return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken), HeaderValues(response));
    }

    private static void AssertCleanAnswer(HostileCase hostile, Answer answer)
    {
        string context = $"{hostile.Id}: {(int)answer.Status} {answer.Body[..Math.Min(answer.Body.Length, 600)]}";
        Assert.All(answer.HeaderValues, value => Assert.False(value.Any(char.IsControl), $"{hostile.Id}: control character in header '{value}'"));
        bool added = answer.Status == HttpStatusCode.OK;
        if (hostile.UploadEitherWay) Assert.True(added || IsClientError(answer.Status), context);
        else Assert.True(added == (hostile.Upload == Outcome.Decoded), context);

        if (answer.Status == HttpStatusCode.RequestEntityTooLarge)
        {
            // The server's body limit answered before the form was read: the status is the reason.
            Assert.Matches("large", hostile.UploadReasonPattern ?? "");
            return;
        }
        using var json = JsonDocument.Parse(answer.Body);
        if (added)
        {
            var result = json.RootElement.GetProperty("files")[0];
            Assert.True(result.GetProperty("outcome").GetString() == nameof(ImportOutcome.Added), context);
            string shown = result.GetProperty("fileName").GetString()!;
            Assert.Equal(DisplayFileName.Of(hostile.FileName), shown);
            Assert.DoesNotContain(shown, c => char.IsControl(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format);
            return;
        }
        Assert.True(IsClientError(answer.Status), context);
        string detail = json.RootElement.GetProperty("detail").GetString() ?? "";
        Assert.False(string.IsNullOrWhiteSpace(detail), context);
        if (hostile.Expected == Outcome.Rejected) Assert.Contains(DisplayFileName.Of(hostile.FileName), detail);
        if (!hostile.UploadEitherWay && hostile.UploadReasonPattern is { } pattern) Assert.Matches(new Regex(pattern), detail);
    }

    private static async Task AssertBmpOriginalIsServedAsBmpAsync(HttpClient http, Answer upload, byte[] bytes)
    {
        using var json = JsonDocument.Parse(upload.Body);
        int id = json.RootElement.GetProperty("files")[0].GetProperty("image").GetProperty("id").GetInt32();
        using var original = await http.GetAsync($"/api/images/{id}/file");
        Assert.Equal(HttpStatusCode.OK, original.StatusCode);
        Assert.Equal("image/bmp", original.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bytes, await original.Content.ReadAsByteArrayAsync());
    }

    /// <summary>Stored files are named by content hash; nothing named after a client's file appeared anywhere near the data.</summary>
    private static void AssertNoNameEscaped(string data)
    {
        var nearby = new[] { Path.GetDirectoryName(data)!, Path.GetTempPath() };
        foreach (var folder in nearby)
            Assert.Empty(Directory.EnumerateFiles(folder, "devise-escape*", SearchOption.TopDirectoryOnly));
        var images = Path.Combine(data, "images");
        Assert.All(Directory.EnumerateFiles(images, "*", SearchOption.AllDirectories),
            path => Assert.Matches("^[0-9a-f]{64}\\.(jpg|png|webp|gif|bmp)$", Path.GetFileName(path)));
    }

    private static async Task<List<HttpStatusCode>> KeepSearchingAsync(HttpClient http, CancellationToken stop)
    {
        var statuses = new List<HttpStatusCode>();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync("/api/search?q=dog&k=5", stop);
                statuses.Add(response.StatusCode);
                await Task.Delay(250, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { break; }
        }
        return statuses;
    }

    private static bool IsClientError(HttpStatusCode status) => (int)status is >= 400 and < 500;

    private static List<string> HeaderValues(HttpResponseMessage response) =>
        response.Headers.Concat(response.Content.Headers).SelectMany(h => h.Value).ToList();
}
