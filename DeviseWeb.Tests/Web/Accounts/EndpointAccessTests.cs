using System.Net;
using System.Text;
using DeviseWeb.Accounts;
using DeviseWeb.Tests.Web.Integration;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Accounts;

/// <summary>
/// Every endpoint of the API and every page, each signed out and as each role: one test per cell, against
/// the policy table. The requests use unknown ids and bodies that do not bind, so an allowed request gets past
/// authorization (anything but 401/403) without changing the gallery or starting a job.
/// </summary>
[Collection(WebAppCollection.Name)]
public sealed class EndpointAccessTests(DeviseWebFactory app)
{
    /// <summary>Method, route as the app declares it, and the policy it needs.</summary>
    private static readonly (string Method, string Route, string Policy)[] Endpoints =
    [
        ("GET", "/api/search/", AccessPolicies.View),
        ("POST", "/api/search/image", AccessPolicies.View),
        ("POST", "/api/search/batch", AccessPolicies.View),
        ("GET", "/api/images/", AccessPolicies.View),
        ("GET", "/api/images/{id:int}", AccessPolicies.View),
        ("GET", "/api/images/{id:int}/keywords", AccessPolicies.View),
        ("GET", "/api/images/{id:int}/thumbnail", AccessPolicies.View),
        ("GET", "/api/images/{id:int}/file", AccessPolicies.View),
        ("GET", "/api/references/{hash}", AccessPolicies.View),
        ("GET", "/api/references/{hash}/keywords", AccessPolicies.View),
        ("POST", "/api/images", AccessPolicies.Edit),
        ("DELETE", "/api/images/{id:int}", AccessPolicies.Edit),
        ("PATCH", "/api/images/{id:int}", AccessPolicies.Edit),
        ("POST", "/api/images/delete", AccessPolicies.Edit),
        ("PATCH", "/api/images/", AccessPolicies.Edit),
        ("POST", "/api/labels/rename", AccessPolicies.Edit),
        ("POST", "/api/training", AccessPolicies.Edit),
        ("GET", "/api/training", AccessPolicies.View),
        ("GET", "/api/jobs/", AccessPolicies.View),
        ("GET", "/api/jobs/{id}", AccessPolicies.View),
        ("POST", "/api/jobs/{id}/cancel", AccessPolicies.Edit),
        ("GET", "/api/models/", AccessPolicies.View),
        ("GET", "/api/models/{id:int}", AccessPolicies.View),
        ("POST", "/api/models/{id:int}/activate", AccessPolicies.Edit),
        ("POST", "/api/models/{id:int}/evaluate", AccessPolicies.Edit),
        ("GET", "/api/status", AccessPolicies.View),
        ("GET", "/api/public-links", AccessPolicies.Edit),
        ("GET", "/metrics", AccessPolicies.Administer),
        ("POST", "/api/admin/backup", AccessPolicies.Administer),
        ("GET", "/api/users/", AccessPolicies.Administer),
        ("POST", "/api/users/", AccessPolicies.Administer),
        ("DELETE", "/api/users/{name}", AccessPolicies.Administer),
        ("POST", "/api/users/{name}/keys", AccessPolicies.Administer),
        ("POST", "/api/public-links/", AccessPolicies.Edit),
        ("DELETE", "/api/public-links/{id}", AccessPolicies.Edit),
        ("GET", "/openapi/{documentName}.json", AccessPolicies.View),
        .. PageRoutes(("/", AccessPolicies.View), ("/search", AccessPolicies.View), ("/training", AccessPolicies.View),
            ("/image/{Id:int}", AccessPolicies.View), ("/links", AccessPolicies.Edit), ("/admin/users", AccessPolicies.Administer),
            ("/admin/audit", AccessPolicies.Administer)),
    ];

    /// <summary>A page answers GET, and POST for the forms it renders on the server.</summary>
    private static IEnumerable<(string, string, string)> PageRoutes(params (string Route, string Policy)[] pages) =>
        pages.SelectMany(p => new[] { ("GET", p.Route, p.Policy), ("POST", p.Route, p.Policy) });

    /// <summary>What anyone may open: signing in, the first Admin's setup, error pages, public links.</summary>
    private static readonly string[] OpenToAll =
    [
        "/signin", "/setup", "/access-denied", "/error", "/not-found", "/public/{Token}", "/public/{token}/thumbnails/{id:int}", "/account/signout",
        "/healthz",
    ];

    public static TheoryData<string, string, UserRole?> Cells()
    {
        var cells = new TheoryData<string, string, UserRole?>();
        foreach (var (method, route, _) in Endpoints)
        foreach (var role in new UserRole?[] { null, UserRole.Viewer, UserRole.Editor, UserRole.Admin })
            cells.Add(method, route, role);
        return cells;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Request_AsRole_IsAllowedOnlyWhereThePolicyTableSays(string method, string route, UserRole? role)
    {
        // Arrange
        string policy = Endpoints.Single(e => e.Method == method && e.Route == route).Policy;
        bool isPage = !route.StartsWith("/api", StringComparison.Ordinal) && !route.StartsWith("/openapi", StringComparison.Ordinal)
            && !route.StartsWith("/hubs", StringComparison.Ordinal) && route != "/metrics";
        // Pages are signed in with the cookie, as a browser is; the API and the hub with the role's key.
        using var client = role is null ? app.CreateAnonymousClient()
            : isPage ? await CookieSignIn.SignedInClientAsync(app, role.Value) : app.CreateClientFor(role.Value);
        using var request = new HttpRequestMessage(new HttpMethod(method), Concrete(route));
        if (method != "GET") request.Content = new StringContent("{", Encoding.UTF8, "application/json");

        // Act
        using var response = await client.SendAsync(request);

        // Assert
        string location = response.Headers.Location is null ? "" : CookieSignIn.PathOf(response);
        if (role is null && isPage)
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/signin?ReturnUrl=", location, StringComparison.Ordinal);
        }
        else if (role is null) Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        else if (!AccessPolicies.Allows(policy, role.Value) && isPage)
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Contains("/access-denied", location, StringComparison.Ordinal);
        }
        else if (!AccessPolicies.Allows(policy, role.Value)) Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        else
        {
            Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.DoesNotContain("/signin", location, StringComparison.Ordinal);
            Assert.DoesNotContain("/access-denied", location, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Endpoints_OfTheApp_AreEachInTheTableOrOpenToAllOnPurpose()
    {
        // Arrange: what the app maps, without static files (they carry a file extension) and Blazor's own plumbing.
        var mapped = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => !IsPlumbing(e.RoutePattern.RawText ?? ""))
            .SelectMany(e => Methods(e).Select(m => (Method: m, Route: Normalize(e.RoutePattern.RawText!), Endpoint: e)))
            .ToList();

        // Assert: every route is listed, and anything open to signed-out visitors is open on purpose.
        var listed = Endpoints.Select(e => (e.Method, e.Route)).ToHashSet();
        var unlisted = mapped.Where(m => !listed.Contains((m.Method, m.Route)) && !OpenToAll.Contains(m.Route)).Select(m => $"{m.Method} {m.Route}").ToList();
        Assert.True(unlisted.Count == 0, "Not in the access table: " + string.Join(", ", unlisted));
        var open = mapped.Where(m => m.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null && !OpenToAll.Contains(m.Route))
            .Select(m => $"{m.Method} {m.Route}").ToList();
        Assert.True(open.Count == 0, "Open to signed-out visitors: " + string.Join(", ", open));
        var missing = listed.Where(l => !mapped.Any(m => (m.Method, m.Route) == l)).ToList();
        Assert.True(missing.Count == 0, "Listed but not mapped: " + string.Join(", ", missing));
    }

    private static bool IsPlumbing(string route) =>
        route.StartsWith("_", StringComparison.Ordinal) || route.StartsWith("/_", StringComparison.Ordinal)
        || (route.Split('/')[^1].Contains('.', StringComparison.Ordinal) && !route.Contains("{documentName}", StringComparison.Ordinal))
        // The hub has tests of its own (HubAccessTests), method by method.
        || route.StartsWith("/hubs/jobs", StringComparison.Ordinal) || route.Contains("{*", StringComparison.Ordinal);

    private static IEnumerable<string> Methods(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? (endpoint.Metadata.GetMetadata<ComponentTypeMetadata>() is not null ? ["GET"] : []);

    private static string Normalize(string route) => route.StartsWith('/') ? route : "/" + route;

    /// <summary>The route with unknown ids, so allowed requests find nothing to change.</summary>
    private static string Concrete(string route) => route
        .Replace("{id:int}", "999999", StringComparison.Ordinal).Replace("{Id:int}", "999999", StringComparison.Ordinal)
        .Replace("{id}", "nojob", StringComparison.Ordinal).Replace("{hash}", "0000", StringComparison.Ordinal)
        .Replace("{documentName}", "v1", StringComparison.Ordinal);
}
