using DeviseWeb.Engine.Evaluation;

namespace DeviseWeb.Tests.Evaluation;

public sealed class PhotoTransferTests
{
    [Theory]
    [InlineData("photo-bear.png", true)]
    [InlineData("scene-sheep.jpg", true)]
    [InlineData("Photo-Owl.PNG", true)]
    [InlineData("stamp-bear.png", false)]
    [InlineData("emoji-google-1f43b.png", false)]
    [InlineData("my-photo-of-a-bear.png", false)]
    public void IsPhoto_FileNamePrefix_MarksTheTestDomain(string fileName, bool expected) =>
        Assert.Equal(expected, PhotoDomain.IsPhoto(fileName));

    [Fact]
    public void PrecisionAt5_FewerRelevantThanFive_IsCappedByTheirCount()
    {
        // Six photos on the x axis side, two relevant ones ranked first by the query.
        float[][] images = [[1, 0], [0.99f, 0.14f], [0, 1], [0, 1], [0, 1], [0, 1]];
        var query = new PhotoQuery("bear", new HashSet<int> { 0, 1 });

        var metric = PhotoTransfer.PrecisionAt5(images, [query], [[1, 0]])!;

        Assert.Equal(1.0, metric.Value, 6);                 // 2 of min(5, 2)
        Assert.Equal(5 * 2 / (6.0 * 2), metric.Chance, 6);  // 5·r / (n·min(5, r))
        Assert.Equal(1, metric.Count);
    }

    [Fact]
    public void PrecisionAt5_RelevantPhotosRankedLast_ScoresTheirShareOfTheTopFive()
    {
        float[][] images = [[1, 0], [1, 0], [1, 0], [1, 0], [0.8f, 0.6f], [0, 1]];
        var query = new PhotoQuery("x", new HashSet<int> { 4, 5 });

        var metric = PhotoTransfer.PrecisionAt5(images, [query], [[1, 0]])!;

        Assert.Equal(0.5, metric.Value, 6); // photo 4 is fifth, photo 5 sixth
    }

    [Fact]
    public void PrecisionAt5_HubPenalty_RanksByTwiceTheCosineMinusThePenalty()
    {
        // Five hubs (cosine 0.9 to the query, but near every word: penalty 0.95) push the relevant photo (cosine 0.85,
        // penalty 0.2) to sixth place; CSLS scores the hubs 2·0.9 − 0.95 = 0.85 and the photo 2·0.85 − 0.2 = 1.5.
        float[] hub = [0.9f, MathF.Sqrt(1 - 0.81f)], photo = [0.85f, -MathF.Sqrt(1 - 0.7225f)];
        float[][] images = [hub, hub, hub, hub, hub, photo];
        var query = new PhotoQuery("x", new HashSet<int> { 5 });

        var plain = PhotoTransfer.PrecisionAt5(images, [query], [[1, 0]])!;
        var corrected = PhotoTransfer.PrecisionAt5(images, [query], [[1, 0]], [0.95f, 0.95f, 0.95f, 0.95f, 0.95f, 0.2f])!;

        Assert.Equal(0.0, plain.Value);
        Assert.Equal(1.0, corrected.Value);
    }

    [Fact]
    public void BroaderQueries_HypernymsShared_GroupTheirLabelsPhotos()
    {
        string[] labels = ["sheep", "goat", "oak", "sheep"];
        var hypernyms = new Dictionary<string, string[]>
        {
            ["sheep"] = ["bovid", "ruminant", "organism"],
            ["goat"] = ["bovid", "ruminant", "organism"],
            ["oak"] = ["tree", "organism"],
        };

        var queries = PhotoTransfer.BroaderQueries(labels, l => hypernyms[l]).ToDictionary(q => q.Text, q => q.Relevant);

        Assert.Equal(new HashSet<int> { 0, 1, 3 }, queries["bovid"]);
        Assert.Equal(new HashSet<int> { 2 }, queries["tree"]);
        Assert.False(queries.ContainsKey("organism")); // covers every photo: measures nothing
    }

    [Fact]
    public void BroaderQueries_HypernymThatIsALabel_IsLeftToTheExactQueries()
    {
        var queries = PhotoTransfer.BroaderQueries(["oak", "tree", "dog"], l => l == "oak" ? ["tree"] : []);

        Assert.Empty(queries);
    }

    [Fact]
    public void ExactQueries_OnePerLabel_WithItsPhotos()
    {
        var queries = PhotoTransfer.ExactQueries(["cat", "dog", "cat"]);

        Assert.Equal(["cat", "dog"], queries.Select(q => q.Text));
        Assert.Equal(new HashSet<int> { 0, 2 }, queries[0].Relevant);
    }
}
