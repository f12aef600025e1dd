using DeviseWeb.Accounts;
using DeviseWeb.Audit;
using DeviseWeb.Engine;
using Microsoft.AspNetCore.Components;

namespace DeviseWeb.Components.Pages.Account;

/// <summary>
/// The first start's one step: create the Admin. Offered only while no account exists, and only to a browser on
/// this machine or one that gives the setup code printed in the server's log.
/// </summary>
public sealed partial class SetupPage
{
    [CascadingParameter] private HttpContext HttpContext { get; set; } = default!;
    [SupplyParameterFromForm(FormName = "setup", Name = "Form")] private SetupForm? Input { get; set; }
    private SetupForm Form => Input ??= new();
    [Inject] private UserAccounts Users { get; set; } = default!;
    [Inject] private FirstAdminSetup Setup { get; set; } = default!;
    [Inject] private AuditLog Audit { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    private string? _error;
    private bool _fromThisMachine;

    protected override void OnInitialized()
    {
        Input ??= new();
        if (!Setup.IsNeeded) Navigation.NavigateTo("signin");
        _fromThisMachine = FirstAdminSetup.IsLoopback(HttpContext);
    }

    private async Task CreateAsync()
    {
        if (!Setup.Accepts(HttpContext, Input!.Code))
        {
            _error = "Wrong setup code: copy it from the server's log.";
            return;
        }
        if (Input!.Password != Input!.Confirm)
        {
            _error = "The two passwords differ.";
            return;
        }
        AccountInfo admin;
        try { admin = Users.AddFirstAdmin(Input!.Name ?? "", Input!.Password ?? ""); }
        catch (DeviseException e)
        {
            _error = e.Message;
            return;
        }
        Audit.Record(admin.Name, "create first admin", admin.Name);
        await CookieSession.StartAsync(HttpContext, Users, admin);
        Navigation.NavigateTo("./");
    }

    public sealed class SetupForm
    {
        public string? Name { get; set; }
        public string? Password { get; set; }
        public string? Confirm { get; set; }
        public string? Code { get; set; }
    }
}
