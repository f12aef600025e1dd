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
}
