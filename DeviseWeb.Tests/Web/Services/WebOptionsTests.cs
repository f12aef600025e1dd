using DeviseWeb.Extensions;
using DeviseWeb.Services;
using DeviseWeb.Tests.Hardening;
using DeviseWeb.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace DeviseWeb.Tests.Web.Services;

/// <summary>The web host's own settings (request limits, the default address, the reverse proxy) are checked when it starts.</summary>
public sealed class WebOptionsTests
{
    [Fact]
    public void Validate_Defaults_Pass()
    {
        Assert.True(new RequestLimitsOptionsValidation().Validate(null, new RequestLimitsOptions()).Succeeded);
        Assert.True(new DeviseWebOptionsValidation().Validate(null, new DeviseWebOptions()).Succeeded);
    }

    [Theory]
    [InlineData("http://localhost:5080")]
    [InlineData("http://*:5080")]
    [InlineData("http://+:5080;https://0.0.0.0:5443")]
    public void Validate_ListeningAddressesAsUrlsTakesThem_Pass(string url)
    {
        Assert.True(new DeviseWebOptionsValidation().Validate(null, new DeviseWebOptions { DefaultUrl = url }).Succeeded);
    }

    [Theory]
    [InlineData("--Devise:DefaultUrl=localhost:5080", "Devise:DefaultUrl must be one or more http:// or https:// addresses with a host, separated by ';' (it is 'localhost:5080')")]
    [InlineData("--Devise:Limits:UploadConcurrency=0", "Devise:Limits:UploadConcurrency must be between 1 and 1000 (it is 0)")]
    [InlineData("--Devise:Limits:ShutdownTimeout=-00:00:01", "Devise:Limits:ShutdownTimeout must be between 00:00:00 and 01:00:00 (it is -00:00:01)")]
    [InlineData("--Devise:ReverseProxy:KnownProxies:0=proxy.local", "Devise:ReverseProxy:KnownProxies:0 must be an IP address (it is 'proxy.local')")]
    [InlineData("--Devise:Limits:SearchesPerMinute=0", "Devise:Limits:SearchesPerMinute must be between 1 and 100000000 (it is 0)")]
    public async Task Start_SettingOutOfRange_FailsNamingTheSettingAndItsRange(string setting, string message)
    {
        string data = TestData.NewTemporaryDirectory("bad-web-setting");
        var builder = DeviseWebExtensions.CreateDeviseWebBuilder(
            [setting, $"--Devise:DataDirectory={data}", "--Devise:FirstStart=false", "--urls=http://127.0.0.1:0"]);
        builder.Services.AddDeviseWeb(builder.Configuration);

        // Without MapDeviseWeb: its static assets need the app's own manifest, which the test host lacks (the process test below maps everything).
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = builder.Build();
            await app.StartAsync();
        });

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task App_BadSetting_ExitsAtStartWithTheMessageAlone()
    {
        string data = TestData.NewTemporaryDirectory("bad-web-setting");
        var environment = new Dictionary<string, string>
        {
            ["Devise__DataDirectory"] = data, ["Devise__FirstStart"] = "false", ["Devise__Limits__UploadConcurrency"] = "0",
        };

        var run = await CliProcess.RunAsync(environment, "--urls", "http://127.0.0.1:0");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("error: Devise:Limits:UploadConcurrency must be between 1 and 1000 (it is 0)", run.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("is running at", run.Output, StringComparison.Ordinal);
    }
}
