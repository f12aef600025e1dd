using System.Net.Sockets;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Gallery;

/// <summary>Listing a dataset folder: links are followed only to files inside it, special files are skipped, nothing blocks.</summary>
public sealed class DatasetFolderTests : IDisposable
{
    /// <summary>A listing that hangs (a loop, a FIFO read) fails here instead of stalling the run.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    private readonly string _root = TestData.NewTemporaryDirectory("dataset");
    private readonly string _outside = TestData.NewTemporaryDirectory("outside");

    public DatasetFolderTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "dog"));
        File.Copy(Directory.GetFiles(Path.Combine(TestData.RequireDemo(), "dog")).Order(StringComparer.Ordinal).First(), Path.Combine(_root, "dog", "a.png"));
    }

    [Fact]
    public async Task List_LinkToAParentFolder_SkippedWithItsReasonAndTheListingEnds()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "dog", "loop"), _root);

        var files = await ListAsync();

        Assert.Equal(["a.png", "loop"], files.Select(f => Path.GetFileName(f.Path)));
        Assert.Null(files[0].Problem);
        Assert.Equal("a symbolic link to a folder: not followed", files[1].Problem);
    }

    [Fact]
    public async Task List_LinkToAFileOutsideTheFolder_SkippedNotRead()
    {
        var secret = Path.Combine(_outside, "secret.png");
        File.Copy(Path.Combine(_root, "dog", "a.png"), secret);
        File.CreateSymbolicLink(Path.Combine(_root, "dog", "b.png"), secret);
        File.CreateSymbolicLink(Path.Combine(_root, "dog", "c.png"), Path.Combine("..", "..", Path.GetFileName(_outside), "secret.png"));

        var files = await ListAsync();

        Assert.Equal(3, files.Count);
        Assert.All(files.Skip(1), f => Assert.Equal("a symbolic link to outside the import folder: not followed", f.Problem));
        Assert.DoesNotContain(files, f => f.Path == secret);
    }

    [Fact]
    public async Task List_LinkToAFileInsideTheFolder_ListedAsItsTarget()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "dog", "z.png"), "a.png");

        var files = await ListAsync();

        Assert.Equal(2, files.Count);
        Assert.All(files, f => Assert.Null(f.Problem));
        Assert.All(files, f => Assert.Equal(Path.Combine(_root, "dog", "a.png"), f.Path));
    }

    [Fact]
    public async Task List_LabelFolderThatIsALinkAndABrokenLink_BothSkipped()
    {
        Directory.CreateSymbolicLink(Path.Combine(_root, "puppy"), Path.Combine(_root, "dog"));
        File.CreateSymbolicLink(Path.Combine(_root, "dog", "gone.png"), Path.Combine(_root, "nowhere.png"));

        var files = await ListAsync();

        Assert.Equal(3, files.Count);
        Assert.Equal("a broken symbolic link", files.Single(f => f.Path.EndsWith("gone.png", StringComparison.Ordinal)).Problem);
        Assert.Equal("a symbolic link to a folder: not followed", files.Single(f => f.Path.EndsWith("puppy", StringComparison.Ordinal)).Problem);
    }

    [Fact]
    public async Task List_NamedPipeAndSocket_SkippedWithoutWaiting()
    {
        TestData.MakeFifo(Path.Combine(_root, "dog", "pipe.png"));
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(_root, "dog", "socket.png")));

        var files = await ListAsync();

        Assert.Equal("not a regular file (a named pipe): not read", files.Single(f => f.Path.EndsWith("pipe.png", StringComparison.Ordinal)).Problem);
        Assert.Equal("not a regular file (a socket): not read", files.Single(f => f.Path.EndsWith("socket.png", StringComparison.Ordinal)).Problem);
        Assert.Null(files.Single(f => f.Path.EndsWith("a.png", StringComparison.Ordinal)).Problem);
    }

    [Fact]
    public async Task List_RenamesFileIsANamedPipe_RefusedWithoutWaiting()
    {
        TestData.MakeFifo(Path.Combine(_root, DatasetFolder.RenamesFileName));

        var error = await Assert.ThrowsAsync<InvalidInputException>(ListAsync);

        Assert.Contains("labels.tsv is a named pipe", error.Message);
    }

    [Fact]
    public async Task List_EvaluationList_MarksTheFilesItNamesAndOnlyThose()
    {
        File.Copy(Path.Combine(_root, "dog", "a.png"), Path.Combine(_root, "dog", "b.png"));
        Directory.CreateDirectory(Path.Combine(_root, "dog", "photos"));
        File.Copy(Path.Combine(_root, "dog", "a.png"), Path.Combine(_root, "dog", "photos", "c.png"));
        File.WriteAllLines(Path.Combine(_root, DatasetFolder.EvaluationFileName), ["# evaluation-only", "", "dog/b.png", "  dog/photos/c.png  "]);

        var files = await ListAsync();

        Assert.Equal([("a.png", false), ("b.png", true), ("c.png", true)], files.Select(f => (Path.GetFileName(f.Path), f.Evaluation)));
        Assert.All(files, f => Assert.Equal("dog", f.Label));
    }

    [Fact]
    public async Task List_EvaluationListNamingALink_MarksTheFileItLeadsTo()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "dog", "z.png"), "a.png");
        File.WriteAllText(Path.Combine(_root, DatasetFolder.EvaluationFileName), "dog/z.png\n");

        var files = await ListAsync();

        Assert.Equal([false, true], files.Select(f => f.Evaluation));
    }

    [Theory]
    [InlineData("dog/missing.png", "line 2: 'dog/missing.png' is not a file of the dataset")]
    [InlineData("a.png", "line 2: 'a.png' is not <label folder>/<file>")]
    [InlineData("dog/../dog/a.png", "line 2: 'dog/../dog/a.png' is not <label folder>/<file>")]
    [InlineData("/etc/passwd", "line 2: '/etc/passwd' is not <label folder>/<file>")]
    public async Task List_EvaluationListWithABadLine_IsRefusedNamingTheFileAndTheLine(string line, string expected)
    {
        File.WriteAllLines(Path.Combine(_root, DatasetFolder.EvaluationFileName), ["dog/a.png", line]);

        var error = await Assert.ThrowsAsync<InvalidInputException>(ListAsync);

        Assert.StartsWith($"{DatasetFolder.EvaluationFileName}: {expected}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_EveryImageAskedEvaluationOnly_MarksAllWhateverTheList()
    {
        File.Copy(Path.Combine(_root, "dog", "a.png"), Path.Combine(_root, "dog", "b.png"));

        var files = await Task.Run(() => DatasetFolder.List(_root, evaluation: true)).WaitAsync(Guard);

        Assert.Equal(2, files.Count);
        Assert.All(files, f => Assert.True(f.Evaluation));
    }

    private async Task<IReadOnlyList<ImportFile>> ListAsync() => await Task.Run(() => DatasetFolder.List(_root)).WaitAsync(Guard);

    public void Dispose()
    {
        TestData.DeleteQuietly(_root);
        TestData.DeleteQuietly(_outside);
    }
}
