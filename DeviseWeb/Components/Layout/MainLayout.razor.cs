using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace DeviseWeb.Components.Layout;

/// <summary>
/// App bar with the three destinations, the MudBlazor providers (placed once, here), and an error boundary
/// around every page so a failing component shows a friendly message instead of an exception page.
/// </summary>
public sealed partial class MainLayout
{
    private ErrorBoundary? _errorBoundary;

    /// <summary>
    /// False in the prerendered HTML, true once the live circuit has rendered: browser tests (and scripts) wait for
    /// data-interactive="true" before clicking, because a click on prerendered HTML is lost.
    /// </summary>
    private bool _interactive;

    internal static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#4f46e5",
            Secondary = "#0ea5e9",
            Tertiary = "#14b8a6",
            AppbarBackground = "#ffffff",
            AppbarText = "#1f2937",
            Background = "#f5f6fa",
            Surface = "#ffffff",
            TextPrimary = "#1f2937",
            TextSecondary = "#6b7280",
            Success = "#16a34a",
            Warning = "#d97706",
            Error = "#dc2626",
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "10px" },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"] },
            Button = new ButtonTypography { TextTransform = "none" },
        },
    };

    /// <summary>A new page gets a fresh boundary: an error on one page does not follow the user to the next.</summary>
    protected override void OnParametersSet() => _errorBoundary?.Recover();

    private void Recover() => _errorBoundary?.Recover();

    protected override void OnAfterRender(bool firstRender)
    {
        if (!firstRender) return;
        _interactive = true;
        StateHasChanged();
    }
}
