using System.Net;
using System.Text.RegularExpressions;
using DeviseWeb.Accounts;
using DeviseWeb.Services;
using DeviseWeb.Sharing;
using DeviseWeb.Tests.Web.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Accounts;

/// <summary>A public link shows its own results and thumbnails to anyone, and nothing else; revoked or forged, nothing at all.</summary>
[Collection(WebAppCollection.Name)]
public sealed partial class PublicLinkTests(DeviseWebFactory app)
{
    private PublicLinks Links => app.Services.GetRequiredService<PublicLinks>();

    [Fact]
    public async Task Open_SignedOut_ShowsExactlyItsResultsWithThumbnailsAndNoOriginals()
    {
        // Arrange
        var (link, token) = await Links.CreateAsync("editor", new SearchLink { Texts = ["dog"], K = 4 });
        using var client = app.CreateAnonymousClient();

        // Act
        using var page = await client.GetAsync($"/public/{Uri.EscapeDataString(token)}");
        string html = await page.Content.ReadAsStringAsync();

        // Assert: its ids and only those, thumbnails through the link, no original, no image page, no API path.
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var shown = ImageIds().Matches(html).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(link.Hits.Select(h => h.ImageId), shown);
        Assert.Equal(4, shown.Count);
        Assert.DoesNotContain("api/images", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/file", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"image/", html, StringComparison.Ordinal);
        foreach (int id in shown)
        {
            using var thumbnail = await client.GetAsync($"/public/{Uri.EscapeDataString(token)}/thumbnails/{id}");
            Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
            Assert.Equal("image/jpeg", thumbnail.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Thumbnail_OfAnImageNotInTheLink_Is404AndOriginalsNeedSigningIn()
    {
        // Arrange
        var (link, token) = await Links.CreateAsync("editor", new SearchLink { Texts = ["dog"], K = 2 });
        int other = (await ApiJson.ReadAsync<DeviseWeb.Engine.Gallery.ImagePage>(await app.CreateClient().GetAsync("/api/images?take=200")))
            .Items.Select(i => i.Id).First(id => link.Hits.All(h => h.ImageId != id));
        using var client = app.CreateAnonymousClient();

        // Act
        using var foreign = await client.GetAsync($"/public/{Uri.EscapeDataString(token)}/thumbnails/{other}");
        using var original = await client.GetAsync($"/api/images/{link.Hits[0].ImageId}/file");

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, original.StatusCode);
    }

    [Fact]
    public async Task Open_AfterRevoke_ShowsNothingAndItsThumbnailsAre404()
    {
        // Arrange
        var (link, token) = await Links.CreateAsync("editor", new SearchLink { Texts = ["cat"], K = 3 });
        using var client = app.CreateAnonymousClient();
        using (var before = await client.GetAsync($"/public/{Uri.EscapeDataString(token)}")) Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        // Act
        Links.Revoke(link.Id);
        using var page = await client.GetAsync($"/public/{Uri.EscapeDataString(token)}");
        using var thumbnail = await client.GetAsync($"/public/{Uri.EscapeDataString(token)}/thumbnails/{link.Hits[0].ImageId}");

        // Assert
        Assert.Equal(HttpStatusCode.Gone, page.StatusCode);
        string html = await page.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"public-link-gone\"", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(ImageIds(), html);
        Assert.Equal(HttpStatusCode.NotFound, thumbnail.StatusCode);
    }

    [Fact]
    public async Task Open_WithATamperedToken_ShowsNothing()
    {
        var (_, token) = await Links.CreateAsync("editor", new SearchLink { Texts = ["dog"], K = 2 });
        string tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        using var client = app.CreateAnonymousClient();

        using var page = await client.GetAsync($"/public/{Uri.EscapeDataString(tampered)}");

        Assert.Equal(HttpStatusCode.Gone, page.StatusCode);
        Assert.Contains("data-testid=\"public-link-gone\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_LongerThanTheLimit_IsRefused()
    {
        await Assert.ThrowsAsync<DeviseWeb.Engine.InvalidInputException>(() => Links.CreateAsync("editor", new SearchLink { Texts = ["dog"] }, PublicLinks.MaxDays + 1));
    }

    [GeneratedRegex("data-image-id=\"(\\d+)\"")]
    private static partial Regex ImageIds();
}
