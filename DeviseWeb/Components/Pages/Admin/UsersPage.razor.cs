using DeviseWeb.Accounts;
using DeviseWeb.Audit;
using DeviseWeb.Engine;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace DeviseWeb.Components.Pages.Admin;

/// <summary>An Admin's page for what the CLI's <c>users</c> verbs do: add, change a role, remove, make and revoke API keys.</summary>
public sealed partial class UsersPage
{
    [Inject] private UserAccounts Users { get; set; } = default!;
    [Inject] private ApiKeys Keys { get; set; } = default!;
    [Inject] private AuditLog Audit { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private IReadOnlyList<AccountInfo> _users = [];
    private IReadOnlyList<ApiKeyInfo> _keys = [];
    private NewApiKey? _newKey;
    private string? _error;
    private string? _name;
    private UserRole _role = UserRole.Viewer;
    private string? _password;

    protected override void OnInitialized() => Reload();

    private Task Add() => ChangeAsync("add user", () =>
    {
        var user = Users.Add(_name ?? "", _role, _password ?? "");
        (_name, _password) = (null, null);
        return $"{user.Name} as {user.Role}";
    });

    private Task SetRole(string name, UserRole role) => ChangeAsync("change role", () => $"{Users.SetRole(name, role).Name} to {role}");

    private Task Remove(string name) => ChangeAsync("remove user", () =>
    {
        Users.Remove(name);
        return name;
    });

    private Task CreateKey(string name) => ChangeAsync("create API key", () =>
    {
        _newKey = Keys.Create(name);
        return $"{_newKey.Info.Prefix}… for {name}";
    });

    private Task Revoke(ApiKeyInfo key) => ChangeAsync("revoke API key", () =>
    {
        Keys.Revoke(key.Id);
        return $"{key.Prefix}… of {key.UserName}";
    });

    /// <summary>Runs a change, records it in the audit log, and shows its error (the engine's typed ones) instead of throwing.</summary>
    private async Task ChangeAsync(string action, Func<string> change)
    {
        _error = null;
        if (action != "create API key") _newKey = null;
        try
        {
            string detail = change();
            Audit.Record((await AuthenticationState).User, action, detail);
        }
        catch (DeviseException e) { _error = e.Message; }
        Reload();
    }

    private void Reload()
    {
        _users = Users.List();
        _keys = Keys.List();
    }
}
