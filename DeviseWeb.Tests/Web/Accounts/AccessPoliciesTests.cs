using System.Security.Claims;
using DeviseWeb.Accounts;
using DeviseWeb.Tests.Web.Integration;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Accounts;

/// <summary>The policy table, cell by cell, through the app's own authorization service.</summary>
[Collection(WebAppCollection.Name)]
public sealed class AccessPoliciesTests(DeviseWebFactory app)
{
    public static TheoryData<string, UserRole?, bool> Cells => new()
    {
        { AccessPolicies.View, null, false },
        { AccessPolicies.View, UserRole.Viewer, true },
        { AccessPolicies.View, UserRole.Editor, true },
        { AccessPolicies.View, UserRole.Admin, true },
        { AccessPolicies.Edit, null, false },
        { AccessPolicies.Edit, UserRole.Viewer, false },
        { AccessPolicies.Edit, UserRole.Editor, true },
        { AccessPolicies.Edit, UserRole.Admin, true },
        { AccessPolicies.Administer, null, false },
        { AccessPolicies.Administer, UserRole.Viewer, false },
        { AccessPolicies.Administer, UserRole.Editor, false },
        { AccessPolicies.Administer, UserRole.Admin, true },
    };

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Authorize_RoleAgainstPolicy_FollowsTheTable(string policy, UserRole? role, bool allowed)
    {
        // Arrange
        var user = role is { } r
            ? AccountPrincipal.Create(new AccountInfo("someone", r, DateTime.UtcNow, 0), AuthSchemes.Cookie)
            : new ClaimsPrincipal(new ClaimsIdentity());
        var authorization = app.Services.GetRequiredService<IAuthorizationService>();

        // Act
        var result = await authorization.AuthorizeAsync(user, policy);

        // Assert
        Assert.Equal(allowed, result.Succeeded);
        if (role is { } known) Assert.Equal(allowed, AccessPolicies.Allows(policy, known));
    }

    [Fact]
    public void Table_EveryPolicyAndRole_HasACell()
    {
        var cells = Cells.Select(c => ((string)c[0], (UserRole?)c[1])).ToHashSet();

        foreach (var policy in AccessPolicies.Table.Keys)
        foreach (var role in Enum.GetValues<UserRole>().Cast<UserRole?>().Append(null))
            Assert.Contains((policy, role), cells);
    }
}
