using DeviseWeb.Engine.Text;

namespace DeviseWeb.Tests.Text;

public sealed class LabelTextTests
{
    [Theory]
    [InlineData("golden_retriever", "golden retriever")]
    [InlineData("Ice-Cream", "ice cream")]
    [InlineData("__polar__bear", "polar bear")]
    public void FromFolderName_SeparatorsAndCase_BecomeSpacedLowercase(string folder, string expected) =>
        Assert.Equal(expected, LabelText.FromFolderName(folder));

    [Fact]
    public void ReadRenames_TabSeparatedFile_MapsFoldersAndSkipsComments()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "# folder\tlabel\n001.ak47\tassault rifle\t12\nplain\n");

        var renames = LabelText.ReadRenames(path);

        Assert.Equal("assault rifle", renames["001.ak47"]);
        Assert.Single(renames);
    }
}
