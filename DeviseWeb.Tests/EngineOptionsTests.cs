using DeviseWeb.Engine;
using DeviseWeb.Tests.Hardening;
using DeviseWeb.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace DeviseWeb.Tests;

/// <summary>The engine's settings are checked when a host starts, each bad one named with what it may be.</summary>
public sealed class EngineOptionsTests
{
    [Fact]
    public void Validate_Defaults_Pass()
    {
        Assert.True(new EngineOptionsValidation().Validate(null, new EngineOptions()).Succeeded);
    }

    [Theory]
    [InlineData("JobQueueCapacity", "Devise:JobQueueCapacity must be between 1 and 10000 (it is 0)")]
    [InlineData("DecodeTimeoutSeconds", "Devise:DecodeTimeoutSeconds must be between 0.001 and 3600 (it is 0)")]
    [InlineData("DiskReserveBytes", "Devise:DiskReserveBytes must be 0 or more (it is -1)")]
    [InlineData("ReferencePhotoDays", "Devise:ReferencePhotoDays must be between 1 and 36500 (it is 0)")]
    public async Task StartAsync_SettingOutOfRange_StopsTheHostNamingTheSettingAndItsRange(string setting, string message)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => EngineHost.StartEmptyAsync(o =>
        {
            switch (setting)
            {
                case "JobQueueCapacity": o.JobQueueCapacity = 0; break;
                case "DecodeTimeoutSeconds": o.DecodeTimeoutSeconds = 0; break;
                case "DiskReserveBytes": o.DiskReserveBytes = -1; break;
                case "ReferencePhotoDays": o.ReferencePhotoDays = 0; break;
            }
        }));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Validate_BackbonePrecisionUndefined_NamesTheTwoValues()
    {
        var options = new EngineOptions { BackbonePrecision = (Engine.Features.BackbonePrecision)7 };

        var result = new EngineOptionsValidation().Validate(null, options);

        Assert.Equal(["Devise:BackbonePrecision must be Float or Int8 (it is '7')"], result.Failures);
    }

    [Fact]
    public void Validate_Int8WithoutPreprocessingModel_Fails()
    {
        var options = new EngineOptions { BackbonePrecision = Engine.Features.BackbonePrecision.Int8, PreprocessModelPath = "" };

        var result = new EngineOptionsValidation().Validate(null, options);

        Assert.Contains("Devise:PreprocessModelPath must be the packaged preprocessing model", Assert.Single(result.Failures!));
    }

    [Fact]
    public async Task StartAsync_SeveralBadSettings_NamesEachOfThem()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => EngineHost.StartEmptyAsync(o =>
        {
            o.VectorSealRows = 0;
            o.MaxFileBytes = 0;
        }));

        Assert.Equal(["Devise:MaxFileBytes must be between 1 and 2147483591 (it is 0)", "Devise:VectorSealRows must be between 1 and 10000000 (it is 0)"],
            error.Failures);
    }

    [Fact]
    public async Task Cli_BadSetting_ExitsAtStartWithTheMessageAlone()
    {
        string data = TestData.NewTemporaryDirectory("bad-setting");

        var run = await CliProcess.RunAsync(new Dictionary<string, string> { ["Devise__JobQueueCapacity"] = "0" }, "status", "--data", data);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal("error: Devise:JobQueueCapacity must be between 1 and 10000 (it is 0)", run.Errors.Trim());
    }
}
