using DeviseWeb.Engine.Evaluation;

namespace DeviseWeb.Tests.Evaluation;

public sealed class TextQueriesTests
{
    [Fact]
    public void PrecisionAt5_FewerRelevantThanFive_IsCappedByTheirCount()
    {
        // Six photos on the x axis side, two relevant ones ranked first by the query.
        float[][] images = [[1, 0], [0.99f, 0.14f], [0, 1], [0, 1], [0, 1], [0, 1]];
        var query = new TextQuery("bear", new HashSet<int> { 0, 1 });

        var metric = TextQueries.PrecisionAt5(images, [query], [[1, 0]])!;

        Assert.Equal(1.0, metric.Value, 6);                 // 2 of min(5, 2)
        Assert.Equal(5 * 2 / (6.0 * 2), metric.Chance, 6);  // 5·r / (n·min(5, r))
        Assert.Equal(1, metric.Count);
    }

    [Fact]
    public void PrecisionAt5_RelevantPhotosRankedLast_ScoresTheirShareOfTheTopFive()
    {
        float[][] images = [[1, 0], [1, 0], [1, 0], [1, 0], [0.8f, 0.6f], [0, 1]];
        var query = new TextQuery("x", new HashSet<int> { 4, 5 });

        var metric = TextQueries.PrecisionAt5(images, [query], [[1, 0]])!;

        Assert.Equal(0.5, metric.Value, 6); // photo 4 is fifth, photo 5 sixth
    }

    [Fact]
    public void BroaderWords_HypernymsShared_GroupTheirLabelsPhotos()
    {
        string[] labels = ["sheep", "goat", "oak", "sheep"];
        var hypernyms = new Dictionary<string, string[]>
        {
            ["sheep"] = ["bovid", "ruminant", "organism"],
            ["goat"] = ["bovid", "ruminant", "organism"],
            ["oak"] = ["tree", "organism"],
        };

        var queries = TextQueries.BroaderWords(labels, l => hypernyms[l]).ToDictionary(q => q.Text, q => q.Relevant);

        Assert.Equal(new HashSet<int> { 0, 1, 3 }, queries["bovid"]);
        Assert.Equal(new HashSet<int> { 2 }, queries["tree"]);
        Assert.False(queries.ContainsKey("organism")); // covers every photo: measures nothing
    }

    [Fact]
    public void BroaderWords_HypernymThatIsALabel_IsLeftToTheLabelNameQueries()
    {
        var queries = TextQueries.BroaderWords(["oak", "tree", "dog"], l => l == "oak" ? ["tree"] : []);

        Assert.Empty(queries);
    }

    [Fact]
    public void LabelNames_OnePerLabel_WithItsPhotos()
    {
        var queries = TextQueries.LabelNames(["cat", "dog", "cat"]);

        Assert.Equal(["cat", "dog"], queries.Select(q => q.Text));
        Assert.Equal(new HashSet<int> { 0, 2 }, queries[0].Relevant);
    }
}
