using System.Net;
using System.Net.Http.Headers;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Search;
using DeviseWeb.Services;
using DeviseWeb.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>Stopping the app with an upload in flight: afterwards the image is in the gallery whole, or not at all.</summary>
public sealed class GracefulShutdownTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task StopHost_UploadInFlight_ImageIsWhollyThereOrWhollyAbsentAfterReopening()
    {
        // Arrange: an upload with half its body sent, so it is in the handler when the host is told to stop.
        var app = new DeviseWebFactory();
        await ((IAsyncLifetime)app).InitializeAsync();
        try
        {
            var png = UniquePng.Create();
            string hash = SafeImageLoader.HashOf(png);
            using var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(png);
            file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(file, "files", "in-flight.png");
            var body = await GatedContent.FromAsync(form);
            var writes = app.Services.GetRequiredService<InFlightWrites>();
            var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
            int before = app.Services.GetRequiredService<GalleryService>().Count;
            // No redirect handler: it would buffer the body whole before sending it.
            var upload = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false }).PostAsync("/api/images", body);
            await WaitUntilAsync(() => writes.Count == 1, "the upload never reached its handler");

            // Act: the rest of the file arrives only once shutdown has begun.
            var stopping = app.DisposeAsync().AsTask();
            await WaitUntilAsync(() => lifetime.ApplicationStopping.IsCancellationRequested, "the host never began to stop");
            body.Open();
            HttpResponseMessage? response = null;
            try { response = await upload.WaitAsync(Guard); }
            catch (HttpRequestException) { } // the server may have dropped the request; then nothing may be kept
            catch (IOException) { }
            catch (OperationCanceledException) { } // the test server cancels what it has not answered when it stops
            await stopping.WaitAsync(Guard);

            // Assert: reopen the data directory as the next start would. The app's host is disposed by its own entry
            // point's RunAsync, which can finish a moment after the factory's DisposeAsync returns: wait for its lock.
            await Eventually.UntilAsync(() => !IsLocked(app.DataDirectory), "the stopped app never released its data directory");
            await using var reopened = await EngineHost.StartAsync(app.DataDirectory);
            var gallery = reopened.Get<GalleryService>();
            var stored = gallery.FindByHash(hash);
            var folder = Path.Combine(app.DataDirectory, "images", hash[..2]);
            var originals = Directory.Exists(folder) ? Directory.GetFiles(folder, hash + ".*") : [];
            if (response is { StatusCode: HttpStatusCode.OK })
            {
                Assert.NotNull(stored);
                Assert.Equal(before + 1, gallery.Count);
                Assert.Single(originals);
                Assert.NotEmpty(gallery.Thumbnail(stored.Id));
                Assert.NotEmpty((await reopened.Get<SearchService>().SearchSimilarAsync(stored.Id, 3)).Hits);
            }
            else
            {
                Assert.NotEqual(HttpStatusCode.InternalServerError, response?.StatusCode);
                Assert.Null(stored);
                Assert.Equal(before, gallery.Count);
                Assert.Empty(originals);
            }
        }
        finally { await ((IAsyncLifetime)app).DisposeAsync(); }
    }

    private static bool IsLocked(string dataDirectory)
    {
        try
        {
            DeviseWeb.Engine.Storage.DataDirectoryLock.Acquire(dataDirectory).Dispose();
            return false;
        }
        catch (DeviseWeb.Engine.DataDirectoryInUseException) { return true; }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow + Guard;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(20);
        }
    }
}
