using DeviseWeb.Cli;

namespace DeviseWeb.Tests.Cli;

public sealed class CliArgumentsTests
{
    [Fact]
    public void Parse_FlagsBetweenOptions_TakeNoValue()
    {
        var cli = new CliArguments(["bench", "--quick", "--knn", "50000", "--json"]);

        Assert.True(cli.Has("--quick"));
        Assert.True(cli.Has("--json"));
        Assert.Equal("50000", cli.Get("--knn"));
        Assert.Empty(cli.Positional);
    }

    [Fact]
    public void Parse_FlagLast_IsAcceptedWithoutAValue()
    {
        var cli = new CliArguments(["bench", "--limit", "300", "--quick"]);

        Assert.True(cli.Has("--quick"));
        Assert.Equal(300, cli.GetInt("--limit", 0));
    }

    [Fact]
    public void Parse_OptionMissingItsValue_FailsNamingIt()
    {
        var error = Assert.Throws<CliUsageException>(() => new CliArguments(["search", "sea", "--k"]));

        Assert.Contains("--k", error.Message);
    }

    [Fact]
    public void RejectUnknown_OptionTheVerbDoesNotTake_FailsNamingIt()
    {
        var cli = new CliArguments(["train", "--epoch", "5"]);

        var error = Assert.Throws<CliUsageException>(() => cli.RejectUnknown(["--epochs", "--data"]));

        Assert.Equal("Unknown option --epoch for 'train'.", error.Message);
    }

    [Fact]
    public void PositionalInts_Ids_ParsesEveryOne()
    {
        var cli = new CliArguments(["delete", "3", "17", "--json"]);

        Assert.Equal([3, 17], cli.PositionalInts("image ids"));
    }

    [Fact]
    public void PositionalInts_None_FailsSayingWhatIsNeeded()
    {
        var error = Assert.Throws<CliUsageException>(() => new CliArguments(["delete"]).PositionalInts("image ids"));

        Assert.Equal("'delete' needs image ids.", error.Message);
    }
}
