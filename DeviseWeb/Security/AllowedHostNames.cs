using System.Net;
using System.Net.NetworkInformation;
using Microsoft.AspNetCore.HostFiltering;

namespace DeviseWeb.Security;

/// <summary>
/// The Host names requests may carry, so a page on another domain that rebinds its DNS to this server is refused
/// (400 from ASP.NET's host filtering, pages, API and hubs alike). <c>AllowedHosts</c> in configuration wins
/// ("team.example.com;localhost", or "*" to allow any); without it: the localhost names plus every host the app
/// listens on (<c>--urls</c>, ASPNETCORE_URLS, Devise:DefaultUrl), and for a wildcard address (0.0.0.0, [::], *)
/// this machine's name and its own addresses.
/// </summary>
public static class AllowedHostNames
{
    public const string ConfigurationKey = "AllowedHosts";
    private static readonly string[] Loopback = ["localhost", "127.0.0.1", "[::1]"];
    private static readonly string[] Wildcards = ["*", "+", "0.0.0.0", "[::]"];

    public static IServiceCollection AddAllowedHostNames(this IServiceCollection services, IConfiguration configuration, string defaultUrl) =>
        // After the web host's own PostConfigure, which turns a missing AllowedHosts into "*".
        services.PostConfigure<HostFilteringOptions>(options =>
        {
            options.AllowedHosts = FromConfiguration(configuration) ?? Default(configuration[WebHostDefaults.ServerUrlsKey] ?? defaultUrl);
            options.AllowEmptyHosts = false;
            options.IncludeFailureMessage = false;
        });

    private static List<string>? FromConfiguration(IConfiguration configuration) =>
        configuration[ConfigurationKey]?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } hosts
            ? [.. hosts] : null;

    /// <summary>The localhost names and the hosts of the listening URLs (';'-separated, as --urls takes them).</summary>
    public static List<string> Default(string urls)
    {
        var hosts = new List<string>(Loopback);
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string host = HostOf(url);
            if (Wildcards.Contains(host)) hosts.AddRange(ThisMachine());
            else if (host.Length > 0) hosts.Add(host);
        }
        return hosts.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>The host part of a listening URL; "http://*:5080" and "http://+:5080" are not valid URIs, so it is cut by hand.</summary>
    private static string HostOf(string url)
    {
        int start = url.IndexOf("://", StringComparison.Ordinal);
        string rest = start < 0 ? url : url[(start + 3)..];
        int slash = rest.IndexOf('/');
        if (slash >= 0) rest = rest[..slash];
        if (rest.StartsWith('[')) return rest[..(rest.IndexOf(']') + 1)];
        int colon = rest.LastIndexOf(':');
        return colon >= 0 ? rest[..colon] : rest;
    }

    private static IEnumerable<string> ThisMachine()
    {
        yield return Environment.MachineName;
        yield return Dns.GetHostName();
        foreach (var address in NetworkInterface.GetAllNetworkInterfaces().SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(a => a.Address))
            yield return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address.ToString().Split('%')[0]}]" : address.ToString();
    }
}
