using System.Net;
using System.Text.Json;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Health;
using DeviseWeb.Tests.Infrastructure;
using LiteDB;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary><c>GET /healthz</c>: what a load balancer or systemd reads, without signing in.</summary>
[Collection(WebAppCollection.Name)]
public sealed class HealthTests(DeviseWebFactory app)
{
    [Fact]
    public async Task Healthz_SignedOut_AnswersHealthyNamingTheStoreTheModelTheJobQueueAndTheIndex()
    {
        using var client = app.CreateAnonymousClient();

        using var response = await client.GetAsync(HealthEndpoint.Path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        var checks = body.RootElement.GetProperty("checks");
        Assert.Equal(["index", "jobs", "model", "store"], checks.EnumerateObject().Select(c => c.Name).Order());
        Assert.All(checks.EnumerateObject(), c => Assert.Equal("Healthy", c.Value.GetProperty("status").GetString()));
        Assert.StartsWith("version ", checks.GetProperty("model").GetProperty("description").GetString());
        Assert.Equal("in process", checks.GetProperty("index").GetProperty("description").GetString());
    }

    [Fact]
    public async Task ModelCheck_NoVersionYet_IsDegradedSayingToTrain()
    {
        await using var engine = await EngineHost.StartEmptyAsync();

        var result = await new ModelHealthCheck(engine.Get<ModelService>()).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains("train", result.Description);
    }

    [Fact]
    public void StoreCheck_AfterAWriteLiteDbCouldNotRollBack_IsUnhealthyNamingWhy()
    {
        HealthCheckResult before = default, after = default;
        // On a thread of its own, as DeviseDatabaseTests does: the abandoned transaction must outlive it safely.
        var writer = new Thread(() =>
        {
            var log = new FullDiskLog();
            var database = new DeviseDatabase(new MemoryStream(), log);
            var items = database.Collection<BsonDocument>("items");
            database.Write(() => items.Insert(new BsonDocument { ["_id"] = 1 }));
            before = new StoreHealthCheck(database).CheckHealthAsync(new HealthCheckContext()).Result;
            Record.Exception(() => database.Write(() =>
            {
                items.Update(new BsonDocument { ["_id"] = 1, ["v"] = "y" });
                log.Full = true;
            }));
            after = new StoreHealthCheck(database).CheckHealthAsync(new HealthCheckContext()).Result;
            database.Dispose();
        });
        writer.Start();
        writer.Join();

        Assert.Equal(HealthStatus.Healthy, before.Status);
        Assert.Equal(HealthStatus.Unhealthy, after.Status);
        Assert.Contains("refuses writes until a restart", after.Description);
    }
}
