using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Tsunami.Core.Ingest;
using Tsunami.Engine.Ingest;
using Tsunami.Media;
using Tsunami.Server.Security;
using Tsunami.Storage;

namespace Tsunami.Server.Api;

/// <summary>
/// Uploads: a multipart form of files, stored under names of the server's choosing (an uploaded file's name is only
/// recorded, never used as a path), then ingested and enriched like any photo, each file refused with its own reason.
/// </summary>
internal static class UploadEndpoints
{
    public static RouteGroupBuilder MapUploads(this RouteGroupBuilder api)
    {
        api.MapPost("/assets", UploadAsync)
            .RequireAuthorization(SecurityServiceCollectionExtensions.AdminPolicy)
            .AddEndpointFilter<CrossSiteGuard>()
            .DisableAntiforgery();
        api.MapPut("/assets", StreamAsync)
            .RequireAuthorization(SecurityServiceCollectionExtensions.AdminPolicy)
            .AddEndpointFilter<CrossSiteGuard>();
        api.MapPost("/collections", async (Core.Storage.IAssetStore store, CollectionRequest body, CancellationToken cancellationToken) =>
            {
                var collection = await store.GetOrCreateCollectionAsync(CollectionName(body.Name), cancellationToken);
                return Results.Json(new { name = collection.Name });
            })
            .RequireAuthorization(SecurityServiceCollectionExtensions.AdminPolicy)
            .AddEndpointFilter<CrossSiteGuard>();
        return api;
    }

    public sealed record CollectionRequest(string? Name);

    private static async Task<IResult> UploadAsync(
        HttpContext http, IngestService ingest, IngestJobs jobs, DataDirectory data, IOptions<ServerOptions> server, IOptions<MediaOptions> media, string? collection, CancellationToken cancellationToken)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = server.Value.MaxUploadBytes;
        }
        if (!http.Request.HasFormContentType)
        {
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType, "an upload is a multipart/form-data form of files");
        }
        var name = CollectionName(collection ?? "uploads");
        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException e)
        {
            throw new ApiException(StatusCodes.Status413PayloadTooLarge, $"the upload is larger than the server accepts (Server:MaxUploadBytes is {server.Value.MaxUploadBytes:N0} bytes): {e.Message}");
        }
        if (form.Files.Count == 0)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, "the form holds no files");
        }
        var folder = Path.Combine(data.Root, "uploads", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        try
        {
            var names = new Dictionary<string, string>(StringComparer.Ordinal);
            var refused = new List<IngestError>();
            for (var i = 0; i < form.Files.Count; i++)
            {
                var file = form.Files[i];
                var fileName = FileName(file.FileName, i);
                if (file.Length > media.Value.MaxFileBytes)
                {
                    refused.Add(new IngestError(fileName, $"too large: {file.Length:N0} bytes, above the limit of {media.Value.MaxFileBytes:N0} bytes (Media:MaxFileBytes)"));
                    continue;
                }
                var path = Path.Combine(folder, i.ToString("d5", System.Globalization.CultureInfo.InvariantCulture));
                await using (var target = File.Create(path))
                {
                    await file.CopyToAsync(target, cancellationToken);
                }
                names[path] = fileName;
            }
            var result = names.Count > 0 ? await IngestAsync(ingest, jobs, names, name, cancellationToken) : null;
            var errors = refused.Concat(result?.Errors ?? []).ToList();
            return Results.Json(new
            {
                collection = name,
                ingested = result?.Ingested ?? 0,
                duplicates = result?.Duplicates ?? 0,
                failed = errors.Count,
                errors = errors.Select(e => new { path = e.Path, reason = e.Reason }),
                duplicateFiles = result?.DuplicateFiles.Select(d => new { path = names.GetValueOrDefault(d.Path, d.Path), duplicateOf = d.DuplicateOf.ToString() }) ?? [],
                assetIds = result?.AssetIds.Select(id => id.ToString()) ?? [],
            });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>One photo as the raw request body, streamed to disk as it arrives (no form): PUT /api/assets?name=...</summary>
    private static async Task<IResult> StreamAsync(
        HttpContext http, IngestService ingest, IngestJobs jobs, DataDirectory data, IOptions<MediaOptions> media, string? collection, string? name, CancellationToken cancellationToken)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = media.Value.MaxFileBytes;
        }
        var collectionName = CollectionName(collection ?? "uploads");
        var fileName = FileName(name, 0);
        var folder = Path.Combine(data.Root, "uploads", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        try
        {
            var path = Path.Combine(folder, "00000");
            await using (var target = File.Create(path))
            {
                await http.Request.Body.CopyToAsync(target, cancellationToken);
            }
            var result = await IngestAsync(ingest, jobs, new Dictionary<string, string> { [path] = fileName }, collectionName, cancellationToken);
            if (result.Errors.Count > 0)
            {
                throw new ApiException(StatusCodes.Status400BadRequest, $"{fileName}: {result.Errors[0].Reason}");
            }
            return Results.Json(new
            {
                collection = collectionName,
                ingested = result.Ingested,
                duplicates = result.Duplicates,
                id = result.AssetIds.Count > 0 ? result.AssetIds[0].ToString() : result.DuplicateFiles[0].DuplicateOf.ToString(),
            });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Ingests and enriches received files, recorded under their uploaded names, as the process's one writer.</summary>
    private static async Task<IngestResult> IngestAsync(
        IngestService ingest, IngestJobs jobs, Dictionary<string, string> names, string collection, CancellationToken cancellationToken)
    {
        return await jobs.AsWriterAsync("upload",
            () => ingest.IngestAsync(new IngestRequest([.. names.Keys], collection, new Dictionary<string, string>(), Enrich: true, names), null, cancellationToken),
            wait: null, cancellationToken);
    }

    /// <summary>The uploaded name as a label: its last segment, printable, at most 200 characters.</summary>
    private static string FileName(string? uploaded, int index)
    {
        var name = new string(Path.GetFileName((uploaded ?? "").Replace('\\', '/')).Where(c => !char.IsControl(c)).ToArray()).Trim();
        name = name.Length > 200 ? name[..200] : name;
        return name.Length == 0 || name is "." or ".." ? $"upload-{index + 1}" : name;
    }

    public static string CollectionName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        return trimmed.Length is > 0 and <= 100 && !trimmed.Any(char.IsControl)
            ? trimmed
            : throw new ApiException(StatusCodes.Status400BadRequest, "collection: a name of 1 to 100 printable characters is needed");
    }
}
