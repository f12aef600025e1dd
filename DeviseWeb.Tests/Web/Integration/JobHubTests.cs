using System.Net;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Training;
using DeviseWeb.Hubs;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>The hub as any SignalR client sees it: the .NET client over long polling through the test server.</summary>
[Collection(WebAppCollection.Name)]
public sealed class JobHubTests(DeviseWebFactory app) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private readonly HttpClient _client = app.CreateClient();
    private HubConnection _connection = null!;

    public async Task InitializeAsync()
    {
        _connection = new HubConnectionBuilder()
            .WithUrl(new Uri(app.Server.BaseAddress, JobHub.Path), o =>
            {
                o.Transports = HttpTransportType.LongPolling;
                o.HttpMessageHandlerFactory = _ => app.Server.CreateHandler();
                o.AccessTokenProvider = () => Task.FromResult<string?>(app.AdminKey);
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            .Build();
        await _connection.StartAsync();
    }

    [Fact]
    public async Task TrainingJob_WhileConnected_EventsArriveInOrderQueuedStartedEpochsFinished()
    {
        // Arrange: every event queued as it arrives (Activate = false keeps the shared host's model as it is).
        var events = Channel.CreateUnbounded<JobEvent>();
        using var subscription = _connection.On<JobEvent>(JobHub.EventMethod, e => events.Writer.TryWrite(e));

        // Act: queue a real run and read its events until it ends.
        var job = await ApiJson.ReadAsync<JobInfo>(
            await ApiJson.PostJsonAsync(_client, "/api/training", new TrainingOptions { Epochs = 3, HeldOutLabelCount = 1, Seed = 3, Activate = false }),
            HttpStatusCode.Accepted);
        var ours = new List<JobEvent>();
        using var giveUp = new CancellationTokenSource(Wait);
        await foreach (var e in events.Reader.ReadAllAsync(giveUp.Token))
        {
            if (e.JobId != job.Id) continue;
            ours.Add(e);
            if (e.Type is JobEventType.Finished or JobEventType.Failed or JobEventType.Cancelled or JobEventType.Interrupted) break;
        }

        // Assert: state changes and epochs in order, steps in between; the last event carries the model.
        var types = ours.Select(e => e.Type).Where(t => t != JobEventType.Progress).ToList();
        Assert.Equal([JobEventType.Queued, JobEventType.Started, JobEventType.Epoch, JobEventType.Epoch, JobEventType.Epoch, JobEventType.Finished], types);
        Assert.Contains(JobEventType.Progress, ours.Select(e => e.Type));
        Assert.Equal([1, 2, 3], ours.Where(e => e.Type == JobEventType.Epoch).Select(e => e.Epoch!.Epoch));
        Assert.All(ours.Where(e => e.Type == JobEventType.Epoch), e => Assert.NotNull(e.Epoch!.ValidationLoss));
        Assert.All(ours, e => Assert.Equal(JobKind.Training, e.Kind));
        var model = ours[^1].Job?.Result?.Model;
        Assert.NotNull(model);
        Assert.Equal(3, model.History.Count);
        Assert.Single(model.HeldOutLabels);
        Assert.False(model.IsActive);
    }

    [Fact]
    public async Task GetRecentAndGetActive_AfterARun_ReattachToThatJob()
    {
        // Arrange
        var job = await ApiJson.ReadAsync<JobInfo>(
            await ApiJson.PostJsonAsync(_client, "/api/training", new TrainingOptions { Epochs = 1, HeldOutLabelCount = 0, Activate = false }),
            HttpStatusCode.Accepted);
        await app.Services.GetRequiredService<JobQueue>().WaitAsync(job.Id);

        // Act
        var recent = await _connection.InvokeAsync<List<JobInfo>>("GetRecent");
        var active = await _connection.InvokeAsync<JobInfo?>("GetActive");

        // Assert
        var latest = recent[0];
        Assert.Equal((job.Id, JobState.Finished), (latest.Id, latest.State));
        Assert.Single(latest.Epochs);
        Assert.NotNull(latest.Result?.Model);
        Assert.Null(active);
    }

    public async Task DisposeAsync() => await _connection.DisposeAsync();
}
