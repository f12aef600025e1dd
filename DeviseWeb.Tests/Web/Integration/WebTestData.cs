using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>
/// The web and browser tests' view of the shared <see cref="TemplateData"/>: a data directory holding a small real
/// gallery and a trained, active model, built once per test run and copied for each web host (no two hosts ever
/// open the same directory).
/// </summary>
public static class WebTestData
{
    /// <summary>Vocabulary words the hosts embed; small so keyword queries stay quick.</summary>
    public const int VocabularyLimit = TemplateData.VocabularyLimit;

    /// <summary>Labels in the template gallery; all but <see cref="HeldOutLabels"/> trained, so a search for one finds its images.</summary>
    public static IReadOnlyList<string> Labels => TemplateData.Labels;

    /// <summary>Labels the template's model held out of training.</summary>
    public static readonly IReadOnlyList<string> HeldOutLabels = [TemplateData.HeldOutLabel];

    /// <summary>Demo images left out of the template so that tests can upload them as new content.</summary>
    public static IReadOnlyList<(string Label, string FileName)> NotImported => TemplateData.NotImported;

    /// <summary>Epochs of the template's model, the one active when a host starts.</summary>
    public const int TemplateEpochs = TemplateData.Epochs;

    /// <summary>Full path of a demo image that is not in the template gallery.</summary>
    public static string NewImagePath(int index) => TemplateData.NotImportedPath(index);

    /// <summary>A new temporary directory holding a copy of the template (built on first use).</summary>
    public static Task<string> CopyTemplateAsync() => TemplateData.CopyAsync("web-data");

    public static void DeleteQuietly(string directory) => TemplateData.DeleteQuietly(directory);
}
