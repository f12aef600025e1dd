using DeviseWeb.Engine;
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

    [Theory]
    [InlineData("  Golden   RETRIEVER ", "golden retriever")]
    [InlineData("brown  bear\u00A0cub", "brown bear cub")]
    [InlineData("Cafe\u0301", "caf\u00E9")]
    [InlineData("caf\u00E9", "caf\u00E9")]
    [InlineData("Éclair", "éclair")]
    public void Normalize_CaseSpacesAndComposedForms_BecomeOneStoredForm(string label, string expected) =>
        Assert.Equal(expected, LabelText.Normalize(label));

    [Theory]
    [InlineData("bell\u0007", "U+0007")]
    [InlineData("brown\tbear", "U+0009")]
    [InlineData("\u202Egnp.exe", "U+202E")]
    [InlineData("zero\u200Bwidth", "U+200B")]
    [InlineData("line\u2028break", "U+2028")]
    [InlineData("cats, dogs", "comma")]
    public void Normalize_HiddenOrSeparatingCharacter_ThrowsInvalidInputNamingIt(string label, string problem)
    {
        var error = Assert.Throws<InvalidInputException>(() => LabelText.Normalize(label));

        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Normalize_MoreThan200Utf8Bytes_ThrowsInvalidInputNamingTheLimit()
    {
        string fits = new('é', LabelText.MaxBytes / 2), tooLong = new('é', LabelText.MaxBytes / 2 + 1);

        var error = Assert.Throws<InvalidInputException>(() => LabelText.Normalize(tooLong));

        Assert.Equal(fits, LabelText.Normalize(fits));
        Assert.Contains($"{LabelText.MaxBytes + 2} bytes", error.Message);
        Assert.Contains($"limit is {LabelText.MaxBytes}", error.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   \t ")]
    public void Normalize_MissingOrBlank_ThrowsInvalidInput(string? label) =>
        Assert.Throws<InvalidInputException>(() => LabelText.Normalize(label));

    [Fact]
    public void Normalize_LoneSurrogate_ThrowsInvalidInput()
    {
        var error = Assert.Throws<InvalidInputException>(() => LabelText.Normalize("bear\uD83D"));

        Assert.Contains("bear", error.Message);
    }

    [Fact]
    public void TryNormalize_BadLabel_GivesTheReasonInsteadOfThrowing()
    {
        bool valid = LabelText.TryNormalize("a,b", out var normal, out var problem);

        Assert.False(valid);
        Assert.Equal("", normal);
        Assert.Contains("comma", problem);
    }

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
