using DeviseWeb.Engine.Imaging;

namespace DeviseWeb.Tests.Hardening;

public sealed class DisplayFileNameTests
{
    [Theory]
    [InlineData("../../../../tmp/escape.png", "escape.png")]
    [InlineData("..\\..\\escape.png", "escape.png")]
    [InlineData("nul\0byte.png", "nul_byte.png")]
    [InlineData("crlf\r\nSet-Cookie: x=1.png", "crlf__Set-Cookie: x=1.png")]
    [InlineData("esc\u001b[31m.png", "esc_[31m.png")]
    [InlineData("photo\u202Egnp.exe", "photognp.exe")]
    [InlineData("zero\u200Bwidth\uFEFF.png", "zerowidth.png")]
    [InlineData("", "upload")]
    [InlineData("..", "upload")]
    [InlineData("a/", "upload")]
    [InlineData("Écureuil 写真.png", "Écureuil 写真.png")]
    public void Of_HostileName_IsTheSafeLastSegment(string given, string expected) =>
        Assert.Equal(expected, DisplayFileName.Of(given));

    [Fact]
    public void Of_SixteenKilobyteName_IsCutToTheLimitKeepingTheExtension()
    {
        var name = DisplayFileName.Of(new string('n', 16 * 1024) + ".png");

        Assert.Equal(DisplayFileName.MaxLength, name.Length);
        Assert.EndsWith("….png", name);
    }
}
