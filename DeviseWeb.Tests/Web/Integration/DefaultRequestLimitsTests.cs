using System.Net;
using System.Text;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>The limits as shipped (no configuration): a JSON body over 64 KB is refused before it is read.</summary>
[Collection(WebAppCollection.Name)]
public sealed class DefaultRequestLimitsTests(DeviseWebFactory app)
{
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task JsonEndpoint_BodyOver64KB_Returns413Problem()
    {
        // Arrange
        string json = $$"""{ "ids": [1], "label": "{{new string('a', 65 * 1024)}}" }""";

        // Act
        var response = await _client.PatchAsync("/api/images", new StringContent(json, Encoding.UTF8, "application/json"));

        // Assert
        var problem = await ApiJson.ReadProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("64 KB limit", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchBatch_BodyOver64KBWithinItsOwnLimit_IsAnswered()
    {
        // Arrange: one query padded with whitespace to 100 KB: more than a plain JSON endpoint takes, within the batch's 1 MB.
        string json = $$"""{ "queries": [ { "q": ["boat"], "k": 2 } ]{{new string(' ', 100 * 1024)}} }""";

        // Act
        var batch = await ApiJson.ReadAsync<DeviseWeb.Api.BatchSearchResponse>(
            await _client.PostAsync("/api/search/batch", new StringContent(json, Encoding.UTF8, "application/json")));

        // Assert
        Assert.Equal(2, Assert.Single(batch.Results).Hits.Count);
    }
}
