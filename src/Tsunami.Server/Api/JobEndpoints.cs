using Microsoft.Extensions.Options;
using Tsunami.Engine.Ingest;
using Tsunami.Server.Security;

namespace Tsunami.Server.Api;

/// <summary>Ingest jobs over folders on the server: start, follow, cancel.</summary>
internal static class JobEndpoints
{
    public sealed record JobRequest(IReadOnlyList<string>? Sources, string? Collection, Dictionary<string, string>? Tags, bool? Enrich);

    public static RouteGroupBuilder MapJobs(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/jobs").RequireAuthorization(SecurityServiceCollectionExtensions.AdminPolicy);
        admin.MapPost("", (IngestJobs jobs, IOptions<ServerOptions> server, JobRequest body) =>
        {
            var sources = body.Sources is { Count: > 0 } given
                ? given.Select(source => Source(source, server.Value.IngestRoots)).ToList()
                : throw new ApiException(StatusCodes.Status400BadRequest, "sources: name one or more folders or files on the server");
            var collection = UploadEndpoints.CollectionName(body.Collection ?? "imports");
            var job = jobs.Start(new IngestRequest(sources, collection, body.Tags ?? [], body.Enrich ?? true));
            return Results.Json(View(job), statusCode: StatusCodes.Status202Accepted);
        }).AddEndpointFilter<CrossSiteGuard>();
        admin.MapGet("", (IngestJobs jobs) => Results.Json(new { jobs = jobs.All.Select(View) }));
        admin.MapGet("/{id}", (IngestJobs jobs, string id) => Results.Json(View(Find(jobs, id))));
        admin.MapDelete("/{id}", async (IngestJobs jobs, string id) =>
        {
            var job = Find(jobs, id);
            await job.Cancellation.CancelAsync();
            return Results.Json(View(job));
        }).AddEndpointFilter<CrossSiteGuard>();
        return api;
    }

    private static IngestJobs.Job Find(IngestJobs jobs, string id) =>
        jobs.Find(id) ?? throw new ApiException(StatusCodes.Status404NotFound, $"no ingest job '{id}' in this server");

    /// <summary>An existing absolute path, inside one of the allowed roots when any are configured.</summary>
    private static string Source(string source, IReadOnlyList<string> roots)
    {
        if (!Path.IsPathFullyQualified(source))
        {
            throw new ApiException(StatusCodes.Status400BadRequest, $"sources: '{source}' is not an absolute path on the server");
        }
        var full = Path.GetFullPath(source);
        if (roots.Count > 0 && !roots.Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(r))).Any(r => full == r || full.StartsWith(r + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
        {
            throw new ApiException(StatusCodes.Status403Forbidden, $"sources: '{source}' is outside the folders this server ingests from (Server:IngestRoots)");
        }
        return File.Exists(full) || Directory.Exists(full)
            ? full
            : throw new ApiException(StatusCodes.Status400BadRequest, $"sources: '{source}' does not exist on the server");
    }

    private static object View(IngestJobs.Job job) => new
    {
        id = job.Id,
        status = job.Status,
        collection = job.Request.Collection,
        sources = job.Request.Sources,
        filesTotal = job.Progress?.FilesTotal,
        filesDone = job.Progress?.FilesDone,
        ingested = job.Result?.Ingested ?? job.Progress?.Ingested,
        duplicates = job.Result?.Duplicates ?? job.Progress?.Duplicates,
        failed = job.Result?.Failed ?? job.Progress?.Failed,
        errors = job.Result?.Errors.Select(e => new { path = e.Path, reason = e.Reason }),
        error = job.Error,
    };
}
