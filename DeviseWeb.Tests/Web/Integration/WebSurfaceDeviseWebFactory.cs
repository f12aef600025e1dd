using DeviseWeb.Accounts;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>
/// The web app with small per-client budgets (<see cref="PerMinute"/> requests a minute for each costly kind), for
/// the tests of what faces the network. Rate-limit tests send from an address of their own (<see cref="SendFromAsync"/>),
/// so the other tests, which come from no address, keep their budget.
/// </summary>
public sealed class WebSurfaceDeviseWebFactory : DeviseWebFactory
{
    public const int PerMinute = 8;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        string perMinute = PerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.UseSetting("Devise:Limits:SearchesPerMinute", perMinute);
        builder.UseSetting("Devise:Limits:TrainingRequestsPerMinute", perMinute);
        builder.UseSetting("Devise:Limits:UploadsPerMinute", perMinute);
    }

    /// <summary>
    /// A script's request with <paramref name="role"/>'s key (Editor unless told) as if from <paramref name="client"/>'s
    /// address; the test server otherwise leaves it empty. Budgets are per user: the other tests here use the Admin's.
    /// </summary>
    public Task<HttpContext> SendFromAsync(IPAddress client, string method, string pathAndQuery, string? contentType = null, byte[]? body = null,
        UserRole role = UserRole.Editor) =>
        Server.SendAsync(context =>
        {
            context.Connection.RemoteIpAddress = client;
            context.Request.Headers.Authorization = "Bearer " + KeyFor(role);
            context.Request.Method = method;
            var uri = new Uri("http://localhost" + pathAndQuery);
            context.Request.Path = uri.AbsolutePath;
            context.Request.QueryString = new QueryString(uri.Query);
            if (contentType is not null) context.Request.ContentType = contentType;
            if (body is not null)
            {
                context.Request.ContentLength = body.Length;
                context.Request.Body = new MemoryStream(body);
            }
        });
}

[CollectionDefinition(Name)]
public sealed class WebSurfaceAppCollection : ICollectionFixture<WebSurfaceDeviseWebFactory>
{
    public const string Name = "web surface app";
}
