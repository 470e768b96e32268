namespace Tsunami.Server.Security;

/// <summary>
/// A change must come from a client that can set headers: an API key, or X-Requested-With. A form another site
/// posts to a keyless loopback server can do neither (the header forces a CORS preflight, which is refused).
/// </summary>
internal sealed class CrossSiteGuard : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var headers = context.HttpContext.Request.Headers;
        if (!headers.ContainsKey(ApiKeyAuthentication.Header) && !headers.ContainsKey("Authorization") && !headers.ContainsKey("X-Requested-With"))
        {
            return Results.Json(new { error = "a change needs an API key or the X-Requested-With header (forms posted by other sites are refused)" },
                statusCode: StatusCodes.Status403Forbidden);
        }
        return await next(context);
    }
}
