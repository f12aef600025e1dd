using DeviseWeb.Engine;
using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Evaluation;

/// <summary>The hand-judged everyday words of an evaluation set: read strictly, turned into queries over its images.</summary>
public sealed class EverydayWordsTests : IDisposable
{
    private readonly string _directory = TestData.NewTemporaryDirectory("everyday");

    private string Write(params string[] lines)
    {
        var path = Path.Combine(_directory, EverydayWords.FileName);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Read_CommentsBlankLinesAndSpaces_KeepsEachWordWithItsLabels()
    {
        var words = EverydayWords.Read(Write("# judged by hand", "", "sea\tfish, ocean wave ,jellyfish", "pet\tcat,dog,cat"));

        Assert.Equal(["sea", "pet"], words.Select(w => w.Word));
        Assert.Equal(["fish", "ocean wave", "jellyfish"], words[0].Labels);
        Assert.Equal(["cat", "dog"], words[1].Labels);
    }

    [Theory]
    [InlineData("sea fish", "line 2: expected")]
    [InlineData("sea\t", "line 2: expected")]
    [InlineData("sea\tfish\tcat", "line 2: expected")]
    [InlineData("pet\tparrot", "line 2: 'pet' is listed twice")]
    public void Read_ABadLine_IsRefusedNamingTheFileAndTheLine(string line, string expected)
    {
        var error = Assert.Throws<InvalidInputException>(() => EverydayWords.Read(Write("pet\tcat", line)));

        Assert.StartsWith($"{EverydayWords.FileName}: {expected}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Queries_OverTheSetsRows_SkipWordsThatAreLabelsOrFindNothingOrEverything()
    {
        string[] rows = ["fish", "cat", "fish", "dog", "tree"];
        EverydayWord[] words =
        [
            new("sea", ["fish", "whale"]), new("pet", ["cat", "dog"]), new("cat", ["cat"]), new("space", ["planet"]),
            new("anything", ["fish", "cat", "dog", "tree"]),
        ];

        var queries = EverydayWords.Queries(words, rows);

        Assert.Equal(["sea", "pet"], queries.Select(q => q.Text));
        Assert.Equal([0, 2], queries[0].Relevant.Order());
        Assert.Equal([1, 3], queries[1].Relevant.Order());
    }

    public void Dispose() => TestData.DeleteQuietly(_directory);
}
