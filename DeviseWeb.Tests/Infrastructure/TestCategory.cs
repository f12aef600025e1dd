namespace DeviseWeb.Tests.Infrastructure;

/// <summary>
/// The "Category" trait that picks a test set. A class without one is Fast. <c>bash scripts/test.sh --fast</c> runs the
/// Fast set for the inner loop; <c>bash scripts/test.sh</c> (and CI) runs everything.
/// </summary>
public static class TestCategory
{
    public const string Name = "Category";

    /// <summary>Seconds per test or more: kills and restarts processes, trains repeatedly, imports whole folders, needs root.</summary>
    public const string Slow = "Slow";

    /// <summary>Drives Debian's Chromium against the app on a real socket.</summary>
    public const string E2E = "E2E";

    /// <summary>Publishes the app self-contained and runs what a server would run.</summary>
    public const string Deployment = "Deployment";
}
