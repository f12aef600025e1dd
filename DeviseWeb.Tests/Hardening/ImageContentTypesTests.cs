using DeviseWeb.Api;

namespace DeviseWeb.Tests.Hardening;

public sealed class ImageContentTypesTests
{
    [Theory]
    [InlineData("images/ab/abc.bmp")]
    [InlineData("images/ab/abc.bm")] // how BMP originals were stored before
    [InlineData("images/ab/abc.dib")]
    public void FromExtension_EveryBmpSpelling_IsImageBmp(string path) =>
        Assert.Equal("image/bmp", ImageContentTypes.FromExtension(path));
}
