using System.Net;
using Microsoft.AspNetCore.Authentication;

namespace Tsunami.Server.Security;

internal static class SecurityServiceCollectionExtensions
{
    public const string ReadPolicy = "read";
    public const string AdminPolicy = "admin";

    public static IServiceCollection AddApiKeys(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ServerOptions>().Bind(configuration.GetSection(ServerOptions.Section)).PostConfigure(options =>
        {
            if (configuration["API_KEYS"] is { Length: > 0 } fromEnvironment)
            {
                options.ApiKeys.AddRange(ApiRoles.Parse(fromEnvironment));
            }
        }).Validate(options => options.ApiKeys.All(k => k.Key.Length >= 8 && k.Role is ApiRoles.Read or ApiRoles.Admin),
            "every API key needs at least 8 characters and the role read or admin");
        services.AddAuthentication(ApiKeyAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ReadPolicy, policy => policy.RequireRole(ApiRoles.Read, ApiRoles.Admin))
            .AddPolicy(AdminPolicy, policy => policy.RequireRole(ApiRoles.Admin));
        return services;
    }

    /// <summary>Anywhere but loopback, a server without keys would hand the store to the network: refuse to start.</summary>
    public static void RequireKeysOffLoopback(string host, ServerOptions keys)
    {
        var loopback = host == "localhost" || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
        if (!loopback && !keys.Required)
        {
            throw new InvalidOperationException(
                $"refusing to listen on {host} without an API key: set TSUNAMI_API_KEYS=key:admin,key2:read (or Server:ApiKeys), or bind to 127.0.0.1");
        }
    }
}
