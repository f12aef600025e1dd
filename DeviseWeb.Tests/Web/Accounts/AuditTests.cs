using System.Net;
using DeviseWeb.Accounts;
using DeviseWeb.Audit;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Web.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Accounts;

/// <summary>The audit log: a change through the API is recorded with who made it, and an Admin sees it.</summary>
[Collection(WebAppCollection.Name)]
public sealed class AuditTests(DeviseWebFactory app)
{
    [Fact]
    public async Task StartTraining_AsEditor_IsRecordedAndShownToAdmins()
    {
        // Arrange
        using var editor = app.CreateClientFor(UserRole.Editor);

        // Act
        var job = await ApiJson.ReadAsync<JobInfo>(
            await ApiJson.PostJsonAsync(editor, "/api/training", new TrainingOptions { Epochs = 1, HeldOutLabelCount = 0, Activate = false }),
            HttpStatusCode.Accepted);
        await app.Services.GetRequiredService<JobQueue>().WaitAsync(job.Id);
        using var admin = await CookieSignIn.SignedInClientAsync(app, UserRole.Admin);
        string page = await admin.GetStringAsync("/admin/audit");

        // Assert
        var entry = app.Services.GetRequiredService<AuditLog>().Recent().First(e => e.Detail.Contains(job.Id, StringComparison.Ordinal));
        Assert.Equal(("editor", "start training"), (entry.User, entry.Action));
        Assert.Contains(job.Id, page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailedChange_UnknownImage_IsNotRecorded()
    {
        using var editor = app.CreateClientFor(UserRole.Editor);
        int before = app.Services.GetRequiredService<AuditLog>().Recent(10_000).Count;

        using var response = await editor.DeleteAsync("/api/images/999999");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(before, app.Services.GetRequiredService<AuditLog>().Recent(10_000).Count);
    }
}
