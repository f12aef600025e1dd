using Microsoft.AspNetCore.Antiforgery;

namespace DeviseWeb.Accounts;

/// <summary>
/// A state-changing API call made with the sign-in cookie must carry an antiforgery token (header
/// RequestVerificationToken), because a browser sends the cookie with requests another site makes. A call with
/// an API key needs none: no other site can make a browser send it.
/// </summary>
public static class ApiAntiforgery
{
    public static TBuilder RequireAntiforgeryForCookies<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            bool safe = HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method);
            if (!safe && http.User.Identity?.AuthenticationType == AuthSchemes.Cookie
                && !await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Antiforgery token missing",
                    detail: "A change made with the sign-in cookie needs the page's antiforgery token; scripts use an API key (Authorization: Bearer).");
            }
            return await next(context);
        });
}
