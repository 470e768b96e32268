using System.Globalization;
using Tsunami.Engine.Ask;
using Tsunami.Engine.Views;

namespace Tsunami.Server.Api;

/// <summary>Questions and similarity, with the same planner and JSON as `tsunami ask --json`.</summary>
internal static class AskEndpoints
{
    public static RouteGroupBuilder MapAsk(this RouteGroupBuilder api)
    {
        api.MapGet("/ask", (AskService ask, string? q, int? limit, string? now, bool? explain, CancellationToken cancellationToken) =>
            AnswerAsync(ask, q, limit, now, explain ?? false, cancellationToken));
        api.MapPost("/ask", async (AskService ask, HttpRequest request, CancellationToken cancellationToken) =>
        {
            if (!request.HasFormContentType)
            {
                throw new ApiException(StatusCodes.Status415UnsupportedMediaType, "POST /api/ask takes a form (q, limit, now, explain)");
            }
            var form = await request.ReadFormAsync(cancellationToken);
            int? limit = form["limit"].FirstOrDefault() is { } l ? int.TryParse(l, CultureInfo.InvariantCulture, out var n) ? n : throw new ApiException(StatusCodes.Status400BadRequest, $"limit '{l}' is not a number") : null;
            return await AnswerAsync(ask, form["q"].FirstOrDefault(), limit, form["now"].FirstOrDefault(), form["explain"].FirstOrDefault() == "true", cancellationToken);
        }).DisableAntiforgery();
        api.MapGet("/similar/{id}", async (AskService ask, Core.Storage.IAssetStore store, string id, int? limit, CancellationToken cancellationToken) =>
        {
            var asset = await AssetEndpoints.FindAsync(store, id, cancellationToken);
            var answer = await ask.SimilarAsync(asset.Id.ToString(), Options(limit, null), cancellationToken);
            return Results.Json(Json.Answer(answer, explain: false));
        });
        return api;
    }

    private static async Task<IResult> AnswerAsync(AskService ask, string? question, int? limit, string? now, bool explain, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(question))
        {
            throw new ApiException(StatusCodes.Status400BadRequest, "q: ask a question, e.g. /api/ask?q=photos with a truck last week");
        }
        if (question.Length > 1000)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, $"q: {question.Length} characters; at most 1000");
        }
        var answer = await ask.AskAsync(question, Options(limit, now), cancellationToken);
        return Results.Json(Json.Answer(answer, explain));
    }

    private static AskOptions Options(int? limit, string? now)
    {
        if (limit is < 0 or > 1000)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, $"limit {limit} must lie within 0..1000");
        }
        DateTimeOffset? at = null;
        if (now is not null)
        {
            at = DateTimeOffset.TryParse(now, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed
                : throw new ApiException(StatusCodes.Status400BadRequest, $"now '{now}' is not an ISO 8601 time");
        }
        return new AskOptions(limit ?? 20, at);
    }
}
