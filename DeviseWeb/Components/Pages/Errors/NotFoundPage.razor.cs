namespace DeviseWeb.Components.Pages.Errors;

// Contract for tests: unknown routes show data-testid="not-found" (HTTP 404 for a direct request), never an exception page.

/// <summary>Shown for unknown routes, both on first load (status-code re-execution) and on in-app navigation (the router's NotFoundPage).</summary>
public sealed partial class NotFoundPage;
