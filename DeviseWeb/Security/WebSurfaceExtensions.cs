using DeviseWeb.Engine;
using DeviseWeb.Services;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DeviseWeb.Security;

/// <summary>
/// What the app does to face a network, independent of who is signed in: allowed Host names, a trusted reverse
/// proxy's forwarded headers, security headers on every response and the refusal of cross-site requests.
/// </summary>
public static class WebSurfaceExtensions
{
    public static IServiceCollection AddWebSurface(this IServiceCollection services, IConfiguration configuration)
    {
        var defaultUrl = configuration.GetSection(EngineOptions.SectionName).Get<DeviseWebOptions>()?.DefaultUrl ?? new DeviseWebOptions().DefaultUrl;
        services.AddAllowedHostNames(configuration, defaultUrl);
        services.AddOptions<ReverseProxyOptions>().Bind(configuration.GetSection(ReverseProxyOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReverseProxyOptions>, ReverseProxyOptionsValidation>());
        return services;
    }

    /// <summary>First in the pipeline, so error pages and refusals carry the headers and see the client's real address.</summary>
    public static WebApplication UseWebSurface(this WebApplication app)
    {
        var proxy = app.Services.GetRequiredService<IOptions<ReverseProxyOptions>>().Value;
        if (proxy.Enabled) app.UseForwardedHeaders(proxy.ToForwardedHeadersOptions());
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseMiddleware<CrossSiteRequestMiddleware>();
        return app;
    }
}
