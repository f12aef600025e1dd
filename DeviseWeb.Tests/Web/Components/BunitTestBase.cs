using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace DeviseWeb.Tests.Web.Components;

/// <summary>
/// A bUnit context with real MudBlazor services and loose JS interop. Disposed asynchronously: MudBlazor's
/// popover service can only be disposed that way, and xunit 2 only awaits disposal through IAsyncLifetime.
/// </summary>
public abstract class BunitTestBase : IAsyncLifetime
{
    private readonly List<AsyncServiceScope> _scopes = [];
    private Bunit.TestDoubles.BunitAuthorizationContext? _authorization;
    private string? _auditDirectory;
    private DeviseWeb.Accounts.AccountsDatabase? _auditDatabase;

    protected BunitContext Context { get; } = new();

    /// <summary>
    /// Components get the engine's services, and the web host's own, from a real host (the web app as AddDeviseWeb
    /// composes it, or an engine host): whatever the test context does not register itself comes from there,
    /// through a scope of the host's as a circuit would have, so scoped services resolve too.
    /// </summary>
    protected BunitTestBase(IServiceProvider? host = null)
    {
        Context.Services.AddMudServices();
        // The web host's write counter, for components that run without one (over an engine host).
        Context.Services.AddSingleton<DeviseWeb.Services.InFlightWrites>();
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
        SignIn(DeviseWeb.Accounts.UserRole.Admin);
        // Built here because the test context's own services cannot take constructor arguments from the host's;
        // changes are recorded in the host's audit log when it has one.
        var audit = host?.GetService<DeviseWeb.Audit.AuditLog>();
        Context.Services.AddScoped(sp => new DeviseWeb.Audit.UserAudit(audit ?? UnsavedAudit(),
            sp.GetRequiredService<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider>(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<DeviseWeb.Audit.UserAudit>.Instance));
        if (host is not null) UseServicesOf(host);
    }

    /// <summary>
    /// Components see a signed-in user of this role (an Admin unless a test says otherwise), with the policies the
    /// table gives that role.
    /// </summary>
    protected void SignIn(DeviseWeb.Accounts.UserRole role)
    {
        var authorization = _authorization ??= Context.AddAuthorization();
        authorization.SetAuthorized(role.ToString().ToLowerInvariant());
        authorization.SetRoles(role.ToString());
        authorization.SetPolicies(DeviseWeb.Accounts.AccessPolicies.Table.Where(p => p.Value.Contains(role)).Select(p => p.Key).ToArray());
    }

    /// <summary>An audit log in a folder of its own, for components run over an engine host (which has none).</summary>
    private DeviseWeb.Audit.AuditLog UnsavedAudit()
    {
        _auditDirectory ??= DeviseWeb.Tests.Infrastructure.TestData.NewTemporaryDirectory("bunit-audit");
        _auditDatabase ??= new DeviseWeb.Accounts.AccountsDatabase(_auditDirectory);
        return new DeviseWeb.Audit.AuditLog(_auditDatabase, Microsoft.Extensions.Logging.Abstractions.NullLogger<DeviseWeb.Audit.AuditLog>.Instance);
    }

    /// <summary>Takes services from another host instead (an engine with an empty gallery, say), for one test.</summary>
    protected void UseServicesOf(IServiceProvider host)
    {
        var scope = host.CreateAsyncScope();
        _scopes.Add(scope);
        Context.Services.AddFallbackServiceProvider(scope.ServiceProvider);
    }

    protected T Get<T>() where T : notnull => Context.Services.GetRequiredService<T>();

    /// <summary>The layout's dialog provider, rendered beside the component so its dialogs can be seen and answered.</summary>
    protected IRenderedComponent<MudDialogProvider> RenderDialogProvider()
    {
        Context.Render<MudPopoverProvider>();
        return Context.Render<MudDialogProvider>();
    }

    /// <summary>
    /// Clicks the button with this text once it is there (a dialog renders a moment after it is asked for), finding
    /// and clicking in one dispatch so a re-render between the two cannot leave a stale handler.
    /// </summary>
    protected static void ClickButton<T>(IRenderedComponent<T> cut, string text) where T : IComponent
    {
        cut.WaitForAssertion(() => Assert.Single(Buttons(cut, text)), TimeSpan.FromSeconds(10));
        cut.InvokeAsync(() => Buttons(cut, text).Single().Click()).GetAwaiter().GetResult();
    }

    private static IEnumerable<AngleSharp.Dom.IElement> Buttons<T>(IRenderedComponent<T> cut, string text) where T : IComponent =>
        cut.FindAll("button").Where(b => b.TextContent.Trim() == text);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        await Context.DisposeAsync();
        foreach (var scope in _scopes) await scope.DisposeAsync();
        _auditDatabase?.Dispose();
        if (_auditDirectory is not null) Directory.Delete(_auditDirectory, recursive: true);
    }
}
