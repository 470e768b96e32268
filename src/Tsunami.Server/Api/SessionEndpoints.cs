using Microsoft.Extensions.Options;
using Tsunami.Server.Security;

namespace Tsunami.Server.Api;

/// <summary>
/// The web UI's sign-in: a key exchanged for an HttpOnly, same-site cookie, so that the page, its images and its
/// links carry it. Changes still need X-Requested-With, which the UI sends and a cross-site form cannot.
/// </summary>
internal static class SessionEndpoints
{
    public sealed record SessionRequest(string? Key);

    public static RouteGroupBuilder MapSession(this RouteGroupBuilder api)
    {
        api.MapGet("/session", (HttpContext http, IOptions<ServerOptions> server) => Results.Json(new
        {
            keysRequired = server.Value.Required,
            role = http.User.Identity?.IsAuthenticated == true ? http.User.FindFirst(System.Security.Claims.ClaimTypes.Role)?.Value : null,
        })).AllowAnonymous();
        api.MapPost("/session", (HttpContext http, IOptions<ServerOptions> server, SessionRequest body) =>
        {
            var key = ApiKeyAuthentication.Match(server.Value.ApiKeys, body.Key ?? "")
                ?? throw new ApiException(StatusCodes.Status401Unauthorized, "this key is not one of the server's API keys");
            http.Response.Cookies.Append(ApiKeyAuthentication.Cookie, key.Key, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = http.Request.IsHttps,
                Path = "/",
            });
            return Results.Json(new { role = key.Role });
        }).AllowAnonymous().AddEndpointFilter<CrossSiteGuard>();
        api.MapDelete("/session", (HttpContext http) =>
        {
            http.Response.Cookies.Delete(ApiKeyAuthentication.Cookie, new CookieOptions { Path = "/" });
            return Results.Ok();
        }).AllowAnonymous();
        return api;
    }
}
