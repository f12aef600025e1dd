using System.Diagnostics;
using System.Net;
using DeviseWeb.Tests.Hardening;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Deployment;

/// <summary>
/// The folder scripts/publish.sh makes is what a team server runs: started by its own executable from another
/// directory, it reads its appsettings.json, loads TorchSharp's patched native library and answers. One test, since
/// a self-contained publish takes minutes.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Deployment)]
public sealed class PublishedAppTests
{
    [Fact]
    public async Task Publish_StartedFromElsewhere_ServesThePagesAndTheApi()
    {
        // Arrange
        string output = TestData.NewTemporaryDirectory("published");
        string data = await TemplateData.CopyAsync("published-data");
        try
        {
            await RunPublishAsync(output);
            Assert.True(File.Exists(Path.Combine(output, "appsettings.json")), "appsettings.json was not published");
            Assert.True(File.Exists(Path.Combine(output, "libLibTorchSharp.so")), "TorchSharp's native library was not published");

            // Act
            await using var app = await AppProcess.StartExecutableAsync(Path.Combine(output, "DeviseWeb"), Path.GetTempPath(), data, TimeSpan.FromSeconds(120));
            using var http = app.CreateClient(TimeSpan.FromSeconds(60));
            using var page = await http.GetAsync("/");
            using var status = await http.GetAsync("/api/status");
            using var search = await http.GetAsync("/api/search?q=dog&k=3");
            string html = await page.Content.ReadAsStringAsync();
            string blazorScript = System.Text.RegularExpressions.Regex.Match(html, "_framework/blazor\\.web\\.[^\"]*js").Value;
            using var script = await http.GetAsync("/" + blazorScript);

            // Assert
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("DeviseWeb", html, StringComparison.Ordinal);
            Assert.True(script.StatusCode == HttpStatusCode.OK, $"the page's Blazor script '{blazorScript}' answered {(int)script.StatusCode}");
            Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
            Assert.True(search.StatusCode == HttpStatusCode.OK, $"search: {(int)search.StatusCode} {await search.Content.ReadAsStringAsync()}\n{app.RecentOutput}");
            Assert.False(app.HasExited, app.RecentOutput);
        }
        finally
        {
            TemplateData.DeleteQuietly(data);
            TemplateData.DeleteQuietly(output);
        }
    }

    private static async Task RunPublishAsync(string output)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(TestData.RepositoryRoot, "scripts", "publish.sh"));
        start.ArgumentList.Add(output);
        using var publish = Process.Start(start)!;
        var stdout = publish.StandardOutput.ReadToEndAsync();
        var stderr = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(10));
        Assert.True(publish.ExitCode == 0, $"publish failed:\n{await stdout}\n{await stderr}");
    }
}
