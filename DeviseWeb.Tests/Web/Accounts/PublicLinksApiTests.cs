using System.Net;
using System.Net.Http.Json;
using DeviseWeb.Accounts;
using DeviseWeb.Api;
using DeviseWeb.Audit;
using DeviseWeb.Tests.Web.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Accounts;

/// <summary>Public links made, listed and revoked through the API, as a script of an Editor would.</summary>
[Collection(WebAppCollection.Name)]
public sealed class PublicLinksApiTests(DeviseWebFactory app)
{
    [Fact]
    public async Task CreateListRevoke_AsAnEditor_TheLinkShowsItsResultsSignedOutUntilRevoked()
    {
        using var editor = app.CreateClientFor(UserRole.Editor);
        using var anonymous = app.CreateAnonymousClient();

        using var created = await editor.PostAsJsonAsync("/api/public-links/", new { q = new[] { "dog" }, k = 3, days = 2 });
        var link = await ApiJson.ReadAsync<PublicLinkCreated>(created, HttpStatusCode.Created);
        using var open = await anonymous.GetAsync(new Uri(link.Url).PathAndQuery);
        var listed = await ApiJson.ReadAsync<List<PublicLinkInfo>>(await editor.GetAsync("/api/public-links"));
        using var revoked = await editor.DeleteAsync($"/api/public-links/{link.Link.Id}");
        using var gone = await anonymous.GetAsync(new Uri(link.Url).PathAndQuery);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(link.Url, created.Headers.Location?.ToString());
        Assert.Equal((3, UserRole.Editor.ToString().ToLowerInvariant(), "\u201cdog\u201d"), (link.Link.Hits.Count, link.Link.CreatedBy, link.Link.Title));
        Assert.InRange(link.Link.Expires - link.Link.Created, TimeSpan.FromDays(2) - TimeSpan.FromSeconds(1), TimeSpan.FromDays(2) + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        Assert.Contains(listed, l => l.Id == link.Link.Id && !l.Revoked);
        Assert.True((await ApiJson.ReadAsync<PublicLinkInfo>(revoked)).Revoked);
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        var audit = app.Services.GetRequiredService<AuditLog>().Recent(1000);
        Assert.Contains(audit, e => e.Action == "make public link" && e.User == "editor");
        Assert.Contains(audit, e => e.Action == "revoke public link" && e.Detail.Contains(link.Link.Id));
    }

    [Theory]
    [InlineData("""{ "q": ["dog"], "days": 0 }""", "days")]
    [InlineData("""{ "q": ["dog"], "days": 91 }""", "days")]
    [InlineData("""{ "days": 3 }""", "Empty query")]
    [InlineData("""{ "q": ["dog"], "k": 0 }""", "k must be")]
    public async Task Create_BadRequest_Is400NamingTheProblemAndMakesNoLink(string body, string expected)
    {
        using var editor = app.CreateClientFor(UserRole.Editor);
        int before = (await ApiJson.ReadAsync<List<PublicLinkInfo>>(await editor.GetAsync("/api/public-links"))).Count;

        using var response = await editor.PostAsync("/api/public-links/", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
        Assert.Equal(before, (await ApiJson.ReadAsync<List<PublicLinkInfo>>(await editor.GetAsync("/api/public-links"))).Count);
    }

    [Fact]
    public async Task Revoke_UnknownLink_Is404()
    {
        using var editor = app.CreateClientFor(UserRole.Editor);

        using var response = await editor.DeleteAsync("/api/public-links/0123456789abcdef0123456789abcdef");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
