using System.Net;
using System.Net.Http.Json;
using DeviseWeb.Accounts;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>POST /api/admin/backup: the running server snapshots its store and accounts into a folder on the server.</summary>
[Collection(WebAppCollection.Name)]
public sealed class BackupApiTests(DeviseWebFactory app) : IDisposable
{
    private readonly string _backups = TestData.NewTemporaryDirectory("api-backups");

    [Fact]
    public async Task Backup_AsAnAdmin_WritesTheStoreAndItsAccountsIntoANewFolder()
    {
        using var admin = app.CreateClientFor(UserRole.Admin);
        var target = Path.Combine(_backups, "nightly");

        using var response = await admin.PostAsJsonAsync("/api/admin/backup", new { directory = target });
        var summary = await ApiJson.ReadAsync<BackupSummary>(response);

        Assert.Equal((target, app.Services.GetRequiredService<GalleryService>().Count), (summary.Directory, summary.Images));
        Assert.All(new[] { "devise.db", AccountsDatabase.FileName, DataStore.ClosedMarkerName },
            name => Assert.True(File.Exists(Path.Combine(target, name)), name));
        using var accounts = new AccountsDatabase(target);
        Assert.Contains(accounts.Users.FindAll(), u => u.Name == DeviseWebFactory.UserFor(UserRole.Admin));
    }

    [Theory]
    [InlineData("relative/folder")]
    [InlineData("")]
    public async Task Backup_WithoutAnAbsoluteFolder_Is400(string directory)
    {
        using var admin = app.CreateClientFor(UserRole.Admin);

        using var response = await admin.PostAsJsonAsync("/api/admin/backup", new { directory });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("absolute path", await response.Content.ReadAsStringAsync());
    }

    public void Dispose() => TestData.DeleteQuietly(_backups);
}
