using System.Net;
using DeviseWeb.Engine;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace DeviseWeb.Security;

/// <summary>
/// Behind a TLS reverse proxy (nginx, Caddy) the app sees the proxy's address and plain http. With
/// <c>Devise:ReverseProxy:Enabled</c> it reads the client's address and scheme from X-Forwarded-For and
/// X-Forwarded-Proto, but only from the proxies listed (<c>KnownProxies</c>, default loopback). Off by default: a
/// client talking to the app directly could otherwise claim any address and slip past the per-client rate limits.
/// The proxy passes the Host header through unchanged, so AllowedHosts names the public host.
/// </summary>
public sealed class ReverseProxyOptions
{
    public const string SectionName = "Devise:ReverseProxy";

    /// <summary>Trust X-Forwarded-For and X-Forwarded-Proto from <see cref="KnownProxies"/>. Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>Addresses of the proxies whose forwarded headers are believed. Default the loopback addresses.</summary>
    public List<string> KnownProxies { get; set; } = [];

    public ForwardedHeadersOptions ToForwardedHeadersOptions()
    {
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
        // An empty list keeps ASP.NET's default, the loopback addresses.
        if (KnownProxies.Count > 0)
        {
            options.KnownProxies.Clear();
            foreach (var proxy in KnownProxies) options.KnownProxies.Add(IPAddress.Parse(proxy));
        }
        return options;
    }
}

/// <summary>Every known proxy must be an IP address; checked when the app starts rather than when the first request arrives.</summary>
internal sealed class ReverseProxyOptionsValidation : IValidateOptions<ReverseProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ReverseProxyOptions options)
    {
        var check = new SettingChecks(ReverseProxyOptions.SectionName);
        for (int i = 0; i < options.KnownProxies.Count; i++)
            check.Require(IPAddress.TryParse(options.KnownProxies[i], out _), $"{nameof(options.KnownProxies)}:{i}", $"'{options.KnownProxies[i]}'", "an IP address");
        return check.Result;
    }
}
