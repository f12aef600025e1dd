using System.Text.Json.Serialization;
using DeviseWeb.Api;
using DeviseWeb.Components;
using DeviseWeb.Engine;
using DeviseWeb.Health;
using DeviseWeb.Hubs;
using DeviseWeb.Security;
using DeviseWeb.Services;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

namespace DeviseWeb.Extensions;

/// <summary>The web host's composition (eShop's AddApplicationServices): every service and its lifetime in one place.</summary>
public static class DeviseWebExtensions
{
    public static IServiceCollection AddDeviseWeb(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(EngineOptions.SectionName);
        services.Configure<EngineOptions>(section);
        services.AddOptions<DeviseWebOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DeviseWebOptions>, DeviseWebOptionsValidation>());

        // The engine's services are singletons and its job worker a hosted service; jobs outlive the circuits that start them.
        services.AddDeviseEngine();
        services.AddDeviseAuth();
        // One relay of the job stream to pages; the hub's broadcaster and first start read the queue themselves.
        services.AddSingleton<JobNotifier>();
        services.AddHostedService<JobHubBroadcaster>();
        services.AddHostedService<FirstStartService>();

        // The engine's typed errors become ProblemDetails in one place; a body that does not bind throws too, so it
        // gets the same 400 with a reason in every environment (the default is an empty 400 outside Development).
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

        AddRequestLimits(services, configuration);
        services.AddWebSurface(configuration);

        services.AddRazorComponents()
            .AddInteractiveServerComponents()
            // InputFile streams in chunks of about 32 KB; 1 MB leaves room without inviting huge messages.
            .AddHubOptions(o => o.MaximumReceiveMessageSize = 1024 * 1024);
        services.AddMudServices();
        services.AddSignalR(o => o.MaximumReceiveMessageSize = 1024 * 1024)
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddProblemDetails();
        services.AddOpenApi();
        services.AddDeviseHealthChecks();
        services.AddDeviseMetrics();
        return services;
    }

    /// <summary>
    /// Body sizes, multipart shapes and concurrency from <see cref="RequestLimitsOptions"/>: anything without its own
    /// limit gets a small one (the API's endpoints name theirs, see <see cref="RequestBodyLimitMiddleware"/>), and
    /// shutdown waits for gallery writes in flight.
    /// </summary>
    private static void AddRequestLimits(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RequestLimitsOptions>().Bind(configuration.GetSection(RequestLimitsOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RequestLimitsOptions>, RequestLimitsOptionsValidation>());
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<RequestLimitsOptions>>((kestrel, limits) =>
            kestrel.Limits.MaxRequestBodySize = limits.Value.MaxOtherBodyBytes);
        services.AddOptions<FormOptions>().Configure<IOptions<RequestLimitsOptions>>((form, limits) =>
        {
            form.MultipartBodyLengthLimit = limits.Value.MaxOtherBodyBytes;
            form.ValueCountLimit = limits.Value.MaxFormFields;
            form.ValueLengthLimit = limits.Value.MaxFormFieldBytes;
            form.MultipartHeadersLengthLimit = limits.Value.MaxMultipartHeadersBytes;
        });
        services.AddOptions<HostOptions>().Configure<IOptions<RequestLimitsOptions>>((host, limits) =>
            host.ShutdownTimeout = limits.Value.ShutdownTimeout);
        services.AddDeviseRateLimits();
        services.AddSingleton<InFlightWrites>();
        services.AddHostedService<WriteDrainService>();
    }

    /// <summary>Middleware and endpoints: static assets, pages, the API, the hub and the OpenAPI document.</summary>
    public static WebApplication MapDeviseWeb(this WebApplication app)
    {
        app.UseWebSurface();
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandlingPath = "/error", CreateScopeForErrors = true });
        // Pages get the friendly not-found page; the API and the hub keep their own status codes and bodies.
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.Use((context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/hubs")
                || context.Request.Path.StartsWithSegments("/openapi") || context.Request.Path.StartsWithSegments(HealthEndpoint.Path)
                || context.Request.Path.StartsWithSegments(MetricsEndpoint.Path))
                context.Features.Get<IStatusCodePagesFeature>()?.Enabled = false;
            return next(context);
        });
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseMiddleware<JsonBodyRequirementMiddleware>();
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(AssetsDirectory()),
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "public, max-age=3600",
        });
        app.UseDeviseAuth();
        app.UseRateLimiter(); // after authentication: budgets are per signed-in user
        app.UseAntiforgery();

        app.MapStaticAssets().AllowAnonymous();
        app.MapDeviseAuth();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapDeviseApi();
        app.MapHub<JobHub>(JobHub.Path);
        app.MapOpenApi();
        app.MapDeviseHealthChecks();
        app.MapDeviseMetrics();
        return app;
    }

    /// <summary>
    /// The host builder, listening on localhost:5080 unless --urls, ASPNETCORE_URLS or a Kestrel endpoint says
    /// otherwise.
    /// </summary>
    public static WebApplicationBuilder CreateDeviseWebBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.ReadAppSettingsBesideTheApp();
        // Package assets (MudBlazor, blazor.web.js) from the build output in any environment, not only Development;
        // a published app has no runtime manifest and serves them from its wwwroot instead.
        builder.WebHost.UseStaticWebAssets();
        bool hasUrls = !string.IsNullOrWhiteSpace(builder.Configuration[WebHostDefaults.ServerUrlsKey])
            || !string.IsNullOrWhiteSpace(builder.Configuration["http_ports"])
            || !string.IsNullOrWhiteSpace(builder.Configuration["https_ports"])
            || builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
        if (!hasUrls)
        {
            var options = builder.Configuration.GetSection(EngineOptions.SectionName).Get<DeviseWebOptions>() ?? new DeviseWebOptions();
            builder.WebHost.UseUrls(options.DefaultUrl);
        }
        return builder;
    }

    /// <summary>The app's own static files: wwwroot-assets beside the executable (copied at build), else the repository's.</summary>
    public static string AssetsDirectory()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "wwwroot-assets");
        if (Directory.Exists(beside)) return beside;
        return DeviseWebOptions.RepositoryRoot() is { } root && Directory.Exists(Path.Combine(root, "wwwroot-assets"))
            ? Path.Combine(root, "wwwroot-assets")
            : throw new DirectoryNotFoundException($"Static assets not found at {beside}; rebuild DeviseWeb.");
    }

    /// <summary>Prints where the app listens once Kestrel is up (the test server has no addresses and prints nothing).</summary>
    public static void PrintAddressesOnStart(this WebApplication app) =>
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>()
                ?.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses;
            foreach (var address in addresses ?? [])
                Console.WriteLine($"DeviseWeb is running at {address}  (Ctrl+C to stop)");
        });
}
