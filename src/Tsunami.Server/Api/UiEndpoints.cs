using System.Reflection;

namespace Tsunami.Server.Api;

/// <summary>The web UI (search and the operations page): files embedded in the server, so nothing is built or looked up on disk at run time.</summary>
internal static class UiEndpoints
{
    private static readonly (string Route, string Resource, string ContentType)[] Files =
    [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/ui/app.js", "app.js", "text/javascript; charset=utf-8"),
        ("/ui/app.css", "app.css", "text/css; charset=utf-8"),
        ("/ops", "ops.html", "text/html; charset=utf-8"),
        ("/ui/ops.js", "ops.js", "text/javascript; charset=utf-8"),
    ];

    public static IEndpointRouteBuilder MapUi(this IEndpointRouteBuilder routes)
    {
        foreach (var (route, resource, contentType) in Files)
        {
            var bytes = Read(resource);
            routes.MapGet(route, (HttpContext http) =>
            {
                http.Response.Headers.XContentTypeOptions = "nosniff";
                http.Response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'";
                return Results.Bytes(bytes, contentType);
            }).AllowAnonymous().ExcludeFromDescription();
        }
        return routes;
    }

    private static byte[] Read(string resource)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Tsunami.Server.Ui.{resource}")
            ?? throw new InvalidOperationException($"the UI file {resource} is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
