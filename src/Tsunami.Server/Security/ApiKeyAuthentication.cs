using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Tsunami.Server.Security;

/// <summary>
/// Authenticates the X-Api-Key header (or Authorization: Bearer) against the configured keys, in constant time.
/// Without configured keys (loopback only) every caller is an admin.
/// </summary>
internal sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IOptions<ServerOptions> keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    /// <summary>The cookie the web UI's key travels in, so that images and links carry it too.</summary>
    public const string Cookie = "tsunami-key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var configured = keys.Value.ApiKeys;
        if (configured.Count == 0)
        {
            return Task.FromResult(Success("loopback", ApiRoles.Admin));
        }
        var presented = Request.Headers[Header].FirstOrDefault();
        if (presented is null && Request.Headers.Authorization.FirstOrDefault() is { } authorization &&
            authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = authorization["Bearer ".Length..].Trim();
        }
        presented ??= Request.Cookies[Cookie];
        if (string.IsNullOrEmpty(presented))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        var match = Match(configured, presented);
        return Task.FromResult(match is null ? AuthenticateResult.Fail("invalid API key") : Success("api-key", match.Role));
    }

    /// <summary>The configured key equal to <paramref name="presented"/>, compared in constant time.</summary>
    public static ApiKey? Match(IEnumerable<ApiKey> configured, string presented)
    {
        var bytes = Encoding.UTF8.GetBytes(presented);
        return configured.FirstOrDefault(k => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(k.Key), bytes));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        await Response.WriteAsJsonAsync(new { error = $"a valid API key is required ({Header} header or Authorization: Bearer)" });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Response.WriteAsJsonAsync(new { error = "this API key is read-only; the request needs an admin key" });
    }

    private AuthenticateResult Success(string name, string role)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
