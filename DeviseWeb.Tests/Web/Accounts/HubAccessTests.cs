using System.Net;
using System.Reflection;
using System.Text.Json.Serialization;
using DeviseWeb.Accounts;
using DeviseWeb.Hubs;
using DeviseWeb.Tests.Web.Integration;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Accounts;

/// <summary>The job hub: no connection (so no method) for a signed-out client; every method for every role.</summary>
[Collection(WebAppCollection.Name)]
public sealed class HubAccessTests(DeviseWebFactory app)
{
    /// <summary>Every method a client can call on the hub.</summary>
    public static TheoryData<string> HubMethods() => new(MethodNames());

    private static IEnumerable<string> MethodNames() =>
        typeof(JobHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Select(m => m.Name);

    [Theory]
    [MemberData(nameof(HubMethods))]
    public async Task Invoke_SignedOut_IsRefusedWith401BeforeAnyMethodRuns(string method)
    {
        await using var connection = Connect(key: null);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(async () =>
        {
            await connection.StartAsync();
            await connection.InvokeAsync<object?>(method);
        });

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Theory]
    [InlineData(UserRole.Viewer)]
    [InlineData(UserRole.Editor)]
    [InlineData(UserRole.Admin)]
    public async Task Invoke_EveryMethodAsRole_Answers(UserRole role)
    {
        await using var connection = Connect(app.KeyFor(role));
        await connection.StartAsync();

        foreach (string method in MethodNames())
            await connection.InvokeAsync<object?>(method); // throws if refused
    }

    private HubConnection Connect(string? key) => new HubConnectionBuilder()
        .WithUrl(new Uri(app.Server.BaseAddress, JobHub.Path), o =>
        {
            o.Transports = HttpTransportType.LongPolling;
            o.HttpMessageHandlerFactory = _ => app.Server.CreateHandler();
            if (key is not null) o.AccessTokenProvider = () => Task.FromResult<string?>(key);
        })
        .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
        .Build();
}
