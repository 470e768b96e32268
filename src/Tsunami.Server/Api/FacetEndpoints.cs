using Tsunami.Core.Search;

namespace Tsunami.Server.Api;

/// <summary>What the store can be narrowed by, with how many photos each value has: the UI's facets.</summary>
internal static class FacetEndpoints
{
    public static RouteGroupBuilder MapFacets(this RouteGroupBuilder api)
    {
        api.MapGet("/facets", async (ISearchIndex index, CancellationToken cancellationToken) =>
        {
            await using var session = await index.OpenAsync(cancellationToken);
            async Task<IEnumerable<object>> Top(string prefix, int count) =>
                (await session.VocabularyAsync(prefix, cancellationToken))
                    .OrderByDescending(term => term.Value).ThenBy(term => term.Key, StringComparer.Ordinal).Take(count)
                    .Select(term => new { value = term.Key[prefix.Length..], count = term.Value });
            return Results.Json(new
            {
                collections = await Top("collection:", 50),
                tags = await Top("tag:", 50),
                objects = await Top("object:", 30),
                labels = await Top("label:", 20),
                quality = await Top("quality:", 10),
                months = (await session.TakenMonthsAsync(24, cancellationToken)).Select(m => new { value = m.Month, count = m.Assets }),
            });
        });
        return api;
    }
}
