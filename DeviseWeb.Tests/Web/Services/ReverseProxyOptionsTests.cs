using System.Net;
using DeviseWeb.Security;
using Microsoft.AspNetCore.HttpOverrides;

namespace DeviseWeb.Tests.Web.Services;

public sealed class ReverseProxyOptionsTests
{
    [Fact]
    public void Defaults_Off()
    {
        Assert.False(new ReverseProxyOptions().Enabled);
    }

    [Fact]
    public void ToForwardedHeadersOptions_NoProxiesListed_TrustsLoopbackOnlyForClientAndScheme()
    {
        // Act
        var options = new ReverseProxyOptions { Enabled = true }.ToForwardedHeadersOptions();

        // Assert
        Assert.Equal(ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto, options.ForwardedHeaders);
        Assert.Contains(IPAddress.IPv6Loopback, options.KnownProxies);
    }

    [Fact]
    public void ToForwardedHeadersOptions_ProxiesListed_TrustsExactlyThose()
    {
        // Act
        var options = new ReverseProxyOptions { Enabled = true, KnownProxies = ["10.1.2.3"] }.ToForwardedHeadersOptions();

        // Assert
        Assert.Equal([IPAddress.Parse("10.1.2.3")], options.KnownProxies);
    }
}
