using DeviseWeb.Accounts;
using DeviseWeb.Audit;
using DeviseWeb.Engine;
using DeviseWeb.Sharing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;

namespace DeviseWeb.Extensions;

/// <summary>
/// Accounts, roles, API keys, public links and the audit log: ASP.NET Core's cookie authentication, an API-key
/// handler beside it, the policy table (<see cref="AccessPolicies"/>), and Data Protection keys kept in the data
/// directory so cookies and public links outlive a restart.
/// </summary>
public static class DeviseAuthExtensions
{
    public const string KeysDirectoryName = "keys";

    public static IServiceCollection AddDeviseAuth(this IServiceCollection services)
    {
        services.AddSingleton(sp => new AccountsDatabase(Path.GetFullPath(sp.GetRequiredService<EngineOptions>().DataDirectory)));
        services.AddSingleton<UserAccounts>();
        services.AddSingleton<ApiKeys>();
        services.AddSingleton<FirstAdminSetup>();
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<AuditLog>();
        services.AddScoped<UserAudit>();
        services.AddSingleton<PublicLinks>();

        services.AddDataProtection().SetApplicationName("DeviseWeb");
        services.AddOptions<KeyManagementOptions>().Configure<EngineOptions, ILoggerFactory>((keys, engine, logging) =>
            keys.XmlRepository = new FileSystemXmlRepository(KeysDirectory(engine.DataDirectory), logging));

        services.AddAuthentication(AuthSchemes.Selector)
            .AddPolicyScheme(AuthSchemes.Selector, null, o => o.ForwardDefaultSelector = context =>
                ApiKeyAuthenticationHandler.HasBearer(context.Request) ? AuthSchemes.ApiKey : AuthSchemes.Cookie)
            .AddCookie(AuthSchemes.Cookie, o =>
            {
                o.LoginPath = "/signin";
                o.AccessDeniedPath = "/access-denied";
                o.Cookie.Name = "devise.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.ExpireTimeSpan = TimeSpan.FromDays(14);
                o.SlidingExpiration = true;
                o.Events = CookieEvents.Create();
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(AuthSchemes.ApiKey, null);
        services.AddAuthorization(AccessPolicies.AddTo);
        services.AddCascadingAuthenticationState();
        return services;
    }

    /// <summary>
    /// The Data Protection keys sign cookies and public links; on Linux they are stored unencrypted (there is no
    /// machine key store), so only the app's own user may read them.
    /// </summary>
    private static DirectoryInfo KeysDirectory(string dataDirectory)
    {
        string path = Path.Combine(Path.GetFullPath(dataDirectory), KeysDirectoryName);
        return OperatingSystem.IsWindows()
            ? Directory.CreateDirectory(path)
            : Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Authentication and authorization, between static files and antiforgery.</summary>
    public static WebApplication UseDeviseAuth(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.Lifetime.ApplicationStarted.Register(() => AnnounceSetup(app));
        return app;
    }

    public static IEndpointRouteBuilder MapDeviseAuth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapAccountEndpoints();
        endpoints.MapPublicLinkEndpoints();
        return endpoints;
    }

    /// <summary>On an empty data directory, says where the first Admin is made, and the code for a browser on another machine.</summary>
    private static void AnnounceSetup(WebApplication app)
    {
        var setup = app.Services.GetRequiredService<FirstAdminSetup>();
        if (!setup.IsNeeded) return;
        var addresses = app.Services.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            ?.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
        string where = addresses.FirstOrDefault() is { } address ? address.TrimEnd('/') + FirstAdminSetup.Path : FirstAdminSetup.Path;
        Console.WriteLine($"No accounts yet: open {where} in a browser on this machine to create the first Admin,");
        Console.WriteLine($"or from another machine with the one-time setup code {setup.Code}");
    }
}
