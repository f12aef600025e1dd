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
/// <c>realSocket: true</c> Kestrel listens on a free loopback port so a browser can reach it.
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

    public string DataDirectory => _dataDirectory ?? throw new InvalidOperationException("Not initialised yet.");

    /// <summary>Where the app listens: the loopback address with a real socket, the test server's otherwise.</summary>
    public Uri RootUri { get; private set; } = new("http://localhost/");

    public async Task InitializeAsync()
    {
        _dataDirectory = await WebTestData.CopyTemplateAsync();
        StartServer();
        if (_realSocket)
        {
            var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
            RootUri = new Uri(addresses.First(a => a.StartsWith("http://", StringComparison.Ordinal)).Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // UseSetting (not ConfigureAppConfiguration) so Program sees these values while it registers services.
        builder.UseSetting("Devise:DataDirectory", DataDirectory);
        builder.UseSetting("Devise:VocabularyLimit", WebTestData.VocabularyLimit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Devise:FirstStart", "false");
        builder.UseSetting("Devise:SeedDirectory", Path.Combine(DataDirectory, "no-seed"));
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        if (_dataDirectory is not null) WebTestData.DeleteQuietly(_dataDirectory);
    }
}

/// <summary>The app on a real loopback socket, for the browser tests.</summary>
public sealed class KestrelDeviseWebFactory() : DeviseWebFactory(realSocket: true);
