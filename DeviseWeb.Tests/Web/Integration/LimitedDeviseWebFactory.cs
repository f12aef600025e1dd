using Microsoft.AspNetCore.Hosting;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>
/// The web app with small request limits, so tests can cross each one with a few bytes: 16 KB per file, 3 files per
/// upload, 1 KB JSON bodies, one upload and one image query at a time with no queue.
/// </summary>
public sealed class LimitedDeviseWebFactory : DeviseWebFactory
{
    public const int MaxFileBytes = 16 * 1024;
    public const int MaxFilesPerRequest = 3;
    public const int MaxJsonBodyBytes = 1024;
    public const int RetryAfterSeconds = 7;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Devise:MaxFileBytes", MaxFileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Devise:Limits:MaxFilesPerRequest", MaxFilesPerRequest.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Devise:Limits:MaxJsonBodyBytes", MaxJsonBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Devise:Limits:UploadConcurrency", "1");
        builder.UseSetting("Devise:Limits:UploadQueue", "0");
        builder.UseSetting("Devise:Limits:ImageQueryConcurrency", "1");
        builder.UseSetting("Devise:Limits:ImageQueryQueue", "0");
        builder.UseSetting("Devise:Limits:RetryAfterSeconds", RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

[CollectionDefinition(Name)]
public sealed class LimitedWebAppCollection : ICollectionFixture<LimitedDeviseWebFactory>
{
    public const string Name = "limited web app";
}
