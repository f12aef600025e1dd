using DeviseWeb.Engine.Text;

namespace DeviseWeb.Tests.Text;

public sealed class WordNetNounsTests
{
    private const string IndexNoun = "/usr/share/wordnet/index.noun";

    [Fact]
    public void Read_DebianWordNet_HasAllNounLemmasWithSpaces()
    {
        var nouns = WordNetNouns.Read(IndexNoun);

        Assert.Equal(117_798, nouns.Count);
        Assert.Contains("polar bear", nouns);
        Assert.DoesNotContain(nouns, n => n.Contains('_'));
    }

    [Fact]
    public void Read_WithLimit_KeepsTheMostTaggedNouns()
    {
        var nouns = WordNetNouns.Read(IndexNoun, limit: 2000);

        Assert.Equal(2000, nouns.Count);
        Assert.Contains("dog", nouns);
        Assert.Contains("water", nouns);
        Assert.DoesNotContain("aardvark", nouns);
    }
}
