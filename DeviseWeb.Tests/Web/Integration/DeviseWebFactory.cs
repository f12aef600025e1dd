using System.Net.Http.Headers;
using DeviseWeb.Accounts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>
/// The real web app over a private copy of the template data (a gallery and an active model), with the
/// first-start import and training switched off. In-memory test server by default; with
/// <c>realSocket: true</c> Kestrel listens on a free loopback port so a browser can reach it. One user per role is
/// made at start (<see cref="UserFor"/>, password <see cref="Password"/>), each with an API key; clients from
/// <see cref="WebApplicationFactory{TEntryPoint}.CreateClient()"/> send the Admin's key, so tests that are not about
/// accounts act as an Admin script would.
/// </summary>
public class DeviseWebFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly bool _realSocket;
    private string? _dataDirectory;

    public DeviseWebFactory() : this(realSocket: false) { }

    protected DeviseWebFactory(bool realSocket)
    {
        _realSocket = realSocket;
        // Port 0: the OS picks a free port, so parallel runs never collide.
        if (realSocket) UseKestrel(0);
    }

    public const string Password = "correct horse battery";
    private readonly Dictionary<UserRole, string> _keys = [];

    public string DataDirectory => _dataDirectory ?? throw new InvalidOperationException("Not initialised yet.");

    /// <summary>The user name made for a role: "admin", "editor", "viewer".</summary>
    public static string UserFor(UserRole role) => role.ToString().ToLowerInvariant();

    /// <summary>The API key of the role's user.</summary>
    public string KeyFor(UserRole role) => _keys[role];

    public string AdminKey => KeyFor(UserRole.Admin);

    /// <summary>A client without credentials (no API key, no cookie).</summary>
    public HttpClient CreateAnonymousClient()
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = null;
        return client;
    }

    /// <summary>A client that sends the API key of the role's user; no redirects followed.</summary>
    public HttpClient CreateClientFor(UserRole role)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", KeyFor(role));
        return client;
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        if (_keys.TryGetValue(UserRole.Admin, out var key)) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    /// <summary>Where the app listens: the loopback address with a real socket, the test server's otherwise.</summary>
    public Uri RootUri { get; private set; } = new("http://localhost/");

    public async Task InitializeAsync()
    {
        _dataDirectory = await CreateDataDirectoryAsync();
        StartServer();
        if (SeedsUsers) SeedUsers();
        if (_realSocket)
        {
            var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
            RootUri = new Uri(addresses.First(a => a.StartsWith("http://", StringComparison.Ordinal)).Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        }
    }

    /// <summary>The data directory the app opens: a private copy of the template, unless a factory starts from another.</summary>
    protected virtual Task<string> CreateDataDirectoryAsync() => WebTestData.CopyTemplateAsync();

    /// <summary>False for a first start: no account, so the first visit is offered the Admin's setup.</summary>
    protected virtual bool SeedsUsers => true;

    private void SeedUsers()
    {
        var users = Services.GetRequiredService<UserAccounts>();
        var keys = Services.GetRequiredService<ApiKeys>();
        foreach (var role in Enum.GetValues<UserRole>())
        {
            if (users.Find(UserFor(role)) is null) users.Add(UserFor(role), role, Password);
            _keys[role] = keys.Create(UserFor(role)).Secret;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // UseSetting (not ConfigureAppConfiguration) so Program sees these values while it registers services.
        builder.UseSetting("Devise:DataDirectory", DataDirectory);
        builder.UseSetting("Devise:VocabularyLimit", WebTestData.VocabularyLimit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Devise:FirstStart", "false");
        builder.UseSetting("Devise:SeedDirectory", Path.Combine(DataDirectory, "no-seed"));
        // Every test client shares one address; the per-client budgets are tested on a host of their own (WebSurfaceDeviseWebFactory).
        foreach (var budget in new[] { "SearchesPerMinute", "TrainingRequestsPerMinute", "UploadsPerMinute" })
            builder.UseSetting($"Devise:Limits:{budget}", "1000000");
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        if (_dataDirectory is not null) WebTestData.DeleteQuietly(_dataDirectory);
    }
}

/// <summary>The app on a real loopback socket, for the browser tests.</summary>
public class KestrelDeviseWebFactory() : DeviseWebFactory(realSocket: true);

/// <summary>The app on a real socket with no account yet: a first start.</summary>
public sealed class FirstStartKestrelDeviseWebFactory : KestrelDeviseWebFactory
{
    protected override bool SeedsUsers => false;
}

/// <summary>The in-memory app with no account yet: a first start.</summary>
public sealed class FirstStartDeviseWebFactory : DeviseWebFactory
{
    protected override bool SeedsUsers => false;
}
