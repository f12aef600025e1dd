using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Hardening;

/// <summary>A folder import meeting link loops, links out of the folder and FIFOs: it ends, imports the real images, and names each skip.</summary>
public sealed class HostileFolderTests : IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private readonly string _dataset = TestData.CopySubset(["fish"]);
    private readonly string _outside = TestData.NewTemporaryDirectory("outside");

    [Fact]
    public async Task ImportFolder_LoopOutsideLinkAndFifo_AddsTheRealImagesAndReportsEachSkip()
    {
        int real = Directory.GetFiles(Path.Combine(_dataset, "fish")).Length;
        var outsideImage = Path.Combine(_outside, "not-yours.png");
        File.Copy(TemplateData.NotImportedPath(0), outsideImage);
        File.CreateSymbolicLink(Path.Combine(_dataset, "fish", "escape.png"), outsideImage);
        Directory.CreateSymbolicLink(Path.Combine(_dataset, "fish", "loop"), _dataset);
        TestData.MakeFifo(Path.Combine(_dataset, "fish", "pipe.jpg"));
        await using var host = await EngineHost.StartEmptyAsync();

        var summary = await host.ImportAsync(_dataset).WaitAsync(Guard);

        Assert.Equal(real, summary.Added);
        Assert.Equal(3, summary.Rejected);
        Assert.Equal(
            [("escape.png", "a symbolic link to outside the import folder: not followed"), ("loop", "a symbolic link to a folder: not followed"),
             ("pipe.jpg", "not a regular file (a named pipe): not read")],
            summary.Rejections.Select(r => (r.FileName, r.Reason!)).Order());
        Assert.Null(host.Get<GalleryService>().FindByHash(SafeImageLoader.HashOf(File.ReadAllBytes(outsideImage))));
        Assert.Equal(real, StoreAssert.OriginalFiles(host.DataDirectory).Count);
    }

    [Fact]
    public async Task ImportFile_NamedPipe_RejectedWithoutWaiting()
    {
        var pipe = Path.Combine(_outside, "pipe.png");
        TestData.MakeFifo(pipe);
        await using var host = await EngineHost.StartEmptyAsync();

        var result = await host.Get<ImportService>().ImportFileAsync(pipe, "fish").WaitAsync(Guard);

        Assert.Equal(ImportOutcome.Rejected, result.Outcome);
        Assert.Equal("cannot be read: not a regular file (a named pipe)", result.Reason);
    }

    [Fact]
    public void ReadFile_NamedPipeSwappedInForAFile_RejectedAtOnce()
    {
        var pipe = Path.Combine(_outside, "swapped.png");
        TestData.MakeFifo(pipe);

        var error = Assert.Throws<ImageRejectedException>(() => new SafeImageLoader(1 << 20, 1 << 20).ReadFile(pipe, followLinks: false));

        Assert.Equal("cannot be read: not a regular file (a named pipe)", error.Reason);
        Assert.Equal(EntryKind.NamedPipe, UnixFiles.KindOf(pipe));
    }

    public void Dispose()
    {
        TestData.DeleteQuietly(_dataset);
        TestData.DeleteQuietly(_outside);
    }
}
