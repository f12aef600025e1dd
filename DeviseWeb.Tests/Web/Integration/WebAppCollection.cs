namespace DeviseWeb.Tests.Web.Integration;

/// <summary>
/// API, page and hub tests that read the gallery share one in-memory host; some of them add images or run
/// training jobs, which queue one at a time on the app's job queue.
/// </summary>
[CollectionDefinition(Name)]
public sealed class WebAppCollection : ICollectionFixture<DeviseWebFactory>
{
    public const string Name = "web app";
}

/// <summary>
/// Tests that delete, relabel or rename share a host of their own, so the read-only tests keep the template's
/// gallery. Each test class changes its own labels and measures before and after, never absolute counts.
/// </summary>
[CollectionDefinition(Name)]
public sealed class EditableWebAppCollection : ICollectionFixture<DeviseWebFactory>
{
    public const string Name = "editable web app";
}
