using System.Net;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using DeviseWeb.Engine.Training;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>The hub as any SignalR client sees it: the .NET client over long polling through the test server.</summary>
[Collection(WebAppCollection.Name)]
public sealed class TrainingHubTests(DeviseWebFactory app) : IAsyncLifetime
{
    private readonly HttpClient _client = app.CreateClient();
    private HubConnection _connection = null!;

    public async Task InitializeAsync()
    {
        _connection = new HubConnectionBuilder()
            .WithUrl(new Uri(app.Server.BaseAddress, "/hubs/training"), o =>
            {
                o.Transports = HttpTransportType.LongPolling;
                o.HttpMessageHandlerFactory = _ => app.Server.CreateHandler();
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            .Build();
        await _connection.StartAsync();
    }

    [Fact]
    public async Task TrainingRun_WhileConnected_EventsArriveInOrderEndingWithTheModel()
    {
        // Arrange: queue every event (Activate = false keeps the shared host's model as it is).
        var events = Channel.CreateUnbounded<TrainingJobEvent>();
        using var subscription = _connection.On<TrainingJobEvent>("TrainingEvent", e => events.Writer.TryWrite(e));

        // Act: start a real run and read events until it ends.
        var job = await ApiJson.ReadAsync<TrainingJobSnapshot>(
            await ApiJson.PostJsonAsync(_client, "/api/training", new TrainingOptions { Epochs = 3, HeldOutLabelCount = 1, Seed = 3, Activate = false }),
            HttpStatusCode.Accepted);
        var ours = new List<TrainingJobEvent>();
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await foreach (var e in events.Reader.ReadAllAsync(giveUp.Token))
        {
            if (e.JobId != job.Id) continue;
            ours.Add(e);
            if (e.Kind is TrainingJobEventKind.Finished or TrainingJobEventKind.Failed or TrainingJobEventKind.Cancelled) break;
        }

        // Assert
        var kinds = ours.Select(e => e.Kind).ToList();
        Assert.Equal(TrainingJobEventKind.Started, kinds[0]);
        Assert.Equal(TrainingJobEventKind.Finished, kinds[^1]);
        Assert.Contains(TrainingJobEventKind.Progress, kinds);
        Assert.True(kinds.IndexOf(TrainingJobEventKind.Progress) < kinds.IndexOf(TrainingJobEventKind.Epoch), "a step is reported before the first epoch ends");
        Assert.Equal([1, 2, 3], ours.Where(e => e.Kind == TrainingJobEventKind.Epoch).Select(e => e.Epoch!.Epoch));
        Assert.All(ours.Where(e => e.Kind == TrainingJobEventKind.Epoch), e => Assert.NotNull(e.Epoch!.ValidationLoss));
        var model = ours[^1].Model;
        Assert.NotNull(model);
        Assert.Equal(3, model.History.Count);
        Assert.Single(model.HeldOutLabels);
        Assert.False(model.IsActive);
    }

    [Fact]
    public async Task GetCurrent_AfterARun_ReturnsThatRunsSnapshot()
    {
        // Arrange
        var job = await ApiJson.ReadAsync<TrainingJobSnapshot>(
            await ApiJson.PostJsonAsync(_client, "/api/training", new TrainingOptions { Epochs = 1, HeldOutLabelCount = 0, Activate = false }),
            HttpStatusCode.Accepted);
        await app.Services.GetRequiredService<TrainingJobRunner>().WaitAsync(job.Id);

        // Act
        var current = await _connection.InvokeAsync<TrainingJobSnapshot?>("GetCurrent");

        // Assert
        Assert.NotNull(current);
        Assert.Equal(job.Id, current.Id);
        Assert.Equal(TrainingJobState.Finished, current.State);
        Assert.NotNull(current.ModelId);
    }

    public async Task DisposeAsync() => await _connection.DisposeAsync();
}
