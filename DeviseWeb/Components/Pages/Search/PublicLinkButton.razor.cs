using DeviseWeb.Audit;
using DeviseWeb.Engine;
using DeviseWeb.Services;
using DeviseWeb.Sharing;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace DeviseWeb.Components.Pages.Search;

/// <summary>An Editor's button that freezes the current results into a read-only public link and shows its address.</summary>
public sealed partial class PublicLinkButton : IDisposable
{
    private readonly CancellationTokenSource _closing = new(); // the search behind the link stops when the page goes

    /// <summary>The query (with its model version) whose results the link shows. Required.</summary>
    [Parameter, EditorRequired] public SearchLink Link { get; set; } = new();

    [Inject] private PublicLinks Links { get; set; } = default!;
    [Inject] private UserAudit Audit { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private string? _url;
    private bool _busy;

    protected override void OnParametersSet() => _url = null;

    private async Task CreateAsync()
    {
        _busy = true;
        try
        {
            var user = (await AuthenticationState).User;
            var (link, token) = await Links.CreateAsync(Accounts.AccountPrincipal.NameOf(user), Link, cancellationToken: _closing.Token);
            _url = Navigation.ToAbsoluteUri($"{PublicLinks.PagePath.TrimStart('/')}/{Uri.EscapeDataString(token)}").ToString();
            await Audit.RecordAsync("make public link", $"{link.Id}: {link.Title}, {link.Hits.Count} results, until {link.Expires:yyyy-MM-dd HH:mm} UTC");
        }
        catch (DeviseException e) { Snackbar.Add(e.Message, Severity.Error); }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested) { }
        finally { _busy = false; }
    }

    public void Dispose()
    {
        _closing.Cancel();
        _closing.Dispose();
    }
}
