namespace DeviseWeb.Components.Pages.Account;

/// <summary>Where to go after signing in: the return URL when it stays on this site, else the gallery.</summary>
public static class LocalUrl
{
    public static string OrHome(string? returnUrl) => IsLocal(returnUrl) ? returnUrl! : "/";

    /// <summary>A path on this site: starts with one slash, not "//" or "/\" (which browsers read as another host).</summary>
    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Any(char.IsControl);
}
