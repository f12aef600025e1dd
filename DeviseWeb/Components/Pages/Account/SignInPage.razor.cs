using DeviseWeb.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components;

namespace DeviseWeb.Components.Pages.Account;

/// <summary>
/// The sign-in form, rendered on the server (a cookie can only be set on an HTTP response). A shared link opened
/// signed out lands here with ReturnUrl and goes back to it after signing in. On an empty data directory it sends
/// the visitor to the first Admin's setup instead.
/// </summary>
public sealed partial class SignInPage
{
    [CascadingParameter] private HttpContext HttpContext { get; set; } = default!;
    [SupplyParameterFromForm(FormName = "signin", Name = "Form")] private SignInForm? Input { get; set; }
    private SignInForm Form => Input ??= new();
    [SupplyParameterFromQuery] private string? ReturnUrl { get; set; }
    [Inject] private UserAccounts Users { get; set; } = default!;
    [Inject] private FirstAdminSetup Setup { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private SignInThrottle Throttle { get; set; } = default!;

    private string? _error;

    protected override void OnInitialized()
    {
        Input ??= new();
        if (HttpMethods.IsGet(HttpContext.Request.Method) && Setup.IsNeeded) Navigation.NavigateTo(FirstAdminSetup.Path.TrimStart('/'));
    }

    private async Task SignInAsync()
    {
        string name = Input!.Name ?? "", address = HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (Throttle.RetryAfter(address, name) is { } wait)
        {
            int seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            _error = $"Too many failed sign-ins; try again in {seconds} s.";
            HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            PageStatus.Set(HttpContext, StatusCodes.Status429TooManyRequests);
            return;
        }
        var user = Users.CheckPassword(name, Input!.Password ?? "");
        if (user is null)
        {
            Throttle.Failed(address, name);
            _error = "Wrong user name or password.";
            return;
        }
        await CookieSession.StartAsync(HttpContext, Users, user);
        Navigation.NavigateTo(LocalUrl.OrHome(ReturnUrl));
    }

    public sealed class SignInForm
    {
        public string? Name { get; set; }
        public string? Password { get; set; }
    }
}
