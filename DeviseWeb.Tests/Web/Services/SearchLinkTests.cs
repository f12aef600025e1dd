using DeviseWeb.Engine.Search;
using DeviseWeb.Services;
using Microsoft.Extensions.Primitives;

namespace DeviseWeb.Tests.Web.Services;

public sealed class SearchLinkTests
{
    [Fact]
    public void ToUrl_FullQuery_WritesEveryPartInOrder()
    {
        var link = new SearchLink
        {
            Texts = ["red boat", "sea"], ImageIds = [4, 9], References = [new string('a', 64)], K = 12, MinScore = 0.25f, ModelId = 3,
        };

        Assert.Equal($"/search?q=red%20boat&q=sea&img=4&img=9&ref={new string('a', 64)}&k=12&min=0.25&model=3", link.ToUrl());
    }

    [Fact]
    public void FromUri_ItsOwnUrl_RoundTrips()
    {
        var link = new SearchLink { Texts = ["engine", "boat"], ImageIds = [7], K = 5, MinScore = -0.1f, ModelId = 2 };

        var parsed = SearchLink.FromUri("http://localhost:5080" + link.ToUrl());

        Assert.True(parsed.IsValid);
        Assert.Equal(link.ToUrl(), parsed.Link.ToUrl());
    }

    [Fact]
    public void Parse_CommaSeparatedAndRepeatedQ_GivesOnePhraseEach()
    {
        var parsed = SearchLink.Parse([new("q", new StringValues(["engine, boat", " sea ", "boat"]))]);

        Assert.Equal(["engine", "boat", "sea"], parsed.Link.Texts);
        Assert.Equal(SearchLimits.DefaultK, parsed.Link.K);
        Assert.Null(parsed.Link.MinScore);
        Assert.Null(parsed.Link.ModelId);
    }

    [Theory]
    [InlineData("k", "0", "k: '0' must be a whole number between 1 and 1000.")]
    [InlineData("k", "many", "k: 'many' must be a whole number between 1 and 1000.")]
    [InlineData("min", "2", "min: '2' must be a score between -1 and 1.")]
    [InlineData("model", "-1", "model: '-1' is not a model version (a positive whole number).")]
    [InlineData("img", "abc", "img: 'abc' is not an image id (a positive whole number).")]
    [InlineData("ref", "../../etc/passwd", "ref: '../../etc/passwd' is not a reference photo hash (64 hex digits).")]
    public void Parse_MalformedParameter_NamesItAndWhy(string name, string value, string expected)
    {
        var parsed = SearchLink.Parse([new("q", "boat"), new(name, value)]);

        Assert.False(parsed.IsValid);
        Assert.Equal(expected, Assert.Single(parsed.Errors));
    }

    [Fact]
    public void Parse_OverTheEnginesLimits_NamesEachLimit()
    {
        var phrases = Enumerable.Range(0, SearchLimits.MaxParts).Select(i => $"word{i}").Append(new string('a', SearchLimits.MaxPhraseLength + 1));

        var parsed = SearchLink.Parse([new("q", new StringValues(phrases.ToArray())), new("k", (SearchLimits.MaxK + 1).ToString())]);

        Assert.Equal(
        [
            $"q: a phrase may have at most {SearchLimits.MaxPhraseLength} characters.",
            $"A query may combine at most {SearchLimits.MaxParts} phrases and images.",
            $"k: '{SearchLimits.MaxK + 1}' must be a whole number between 1 and {SearchLimits.MaxK}.",
        ], parsed.Errors);
    }

    [Fact]
    public void ToQuery_WithGalleryImages_LeavesThemOutOfTheirOwnResults()
    {
        var query = new SearchLink { ImageIds = [5], K = 3, MinScore = 0.2f, ModelId = 4 }.ToQuery();

        Assert.True(query.ExcludeQueryImages);
        Assert.Equal((3, 0.2f, 4), (query.K, query.MinScore, query.ModelId));
    }
}
