namespace DeviseWeb.Tests.Web.Integration;

/// <summary>
/// API, page and hub tests share one in-memory host; they run one after another because some start
/// training runs, and only one run may be going at a time.
/// </summary>
[CollectionDefinition(Name)]
public sealed class WebAppCollection : ICollectionFixture<DeviseWebFactory>
{
    public const string Name = "web app";
}
