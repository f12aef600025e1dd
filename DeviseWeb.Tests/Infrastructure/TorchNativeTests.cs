using static TorchSharp.torch;

namespace DeviseWeb.Tests.Infrastructure;

public sealed class TorchNativeTests
{
    [Fact]
    public void Matmul_SmallMatrices_ComputesTheProduct()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        using var b = tensor(new float[] { 5, 6, 7, 8 }, [2, 2]);

        using var product = a.matmul(b);

        Assert.Equal(new float[] { 19, 22, 43, 50 }, product.data<float>().ToArray());
    }

    [Fact]
    public void NativeLibrary_BuildOutputCopy_IsPatchedOnlyWhenTheSystemLacksGlibcxx3432()
    {
        var output = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so"));
        var cacheRoot = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages", "torchsharp");
        var cached = Directory.GetFiles(cacheRoot, "libLibTorchSharp.so", SearchOption.AllDirectories)
            .Single(p => p.Contains("0.107.0") && p.Contains("linux-x64"));
        bool systemLacksVersion = !System.Text.Encoding.ASCII.GetString(File.ReadAllBytes("/usr/lib/x86_64-linux-gnu/libstdc++.so.6"))
            .Contains("\0GLIBCXX_3.4.32\0");

        bool identical = output.AsSpan().SequenceEqual(File.ReadAllBytes(cached));

        // Patched copy differs from the package cache's, which must stay untouched.
        Assert.Equal(!systemLacksVersion, identical);
    }
}
