using Tsunami.Core.Enrichment;
using Tsunami.Core.Imaging;
using Microsoft.Extensions.Options;
using Tsunami.Core.Search;
using Tsunami.Engine.Clip;
using Tsunami.Core.Storage;
using Tsunami.Inference.Vision;
using Tsunami.Media.Decoding;
using Tsunami.Query.Parsing;
using Tsunami.Query.Plan;

namespace Tsunami.Engine.Ask;

/// <summary>How many results, and the "now" that relative dates count from.</summary>
public sealed record AskOptions(int Limit = 20, DateTimeOffset? Now = null);

/// <summary>
/// Answers plain-language questions: parses them into a <see cref="QueryPlan"/>, runs each condition against the
/// store's search index (terms, OCR text, time, place, vectors), intersects what filters, removes what is negated,
/// fuses what ranks by reciprocal rank (k = 60), and explains each of the best results with its evidence.
/// </summary>
public sealed class AskService(
    ISearchIndex index, IAssetStore assets, IEnrichmentStore enrichments, VisionModels models, ClipModels clip, IOptions<ClipOptions> clipOptions,
    VectorCache vectors, PhotoProcessor photos, TimeProvider time)
{
    private const int RankConstant = 60;

    /// <summary>A word's cosine to a photo in the semantic space from which the word counts as seen there.</summary>
    internal const float SemanticThreshold = 0.5f;

    /// <summary>The CLIP model, when one is installed and has embedded stored photos: then it matches things by meaning.</summary>
    private async Task<ClipModel?> ClipSpaceAsync(ISearchSession session, CancellationToken cancellationToken)
    {
        if (await session.VectorGenerationAsync(VectorSpaceNames.Clip, cancellationToken) == 0)
        {
            return null;
        }
        try
        {
            return await clip.GetAsync(cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or Inference.Onnx.ModelLoadException)
        {
            return null;
        }
    }

    /// <exception cref="QuestionException">The question cannot be answered as written.</exception>
    public async Task<Answer> AskAsync(string question, AskOptions options, CancellationToken cancellationToken)
    {
        await using var session = await index.OpenAsync(cancellationToken);
        var context = new QuestionContext(options.Now ?? time.GetUtcNow())
        {
            Collections = [.. (await session.VocabularyAsync("collection:", cancellationToken)).Keys.Select(t => t["collection:".Length..])],
            TagKeys = [.. (await session.VocabularyAsync("tag:", cancellationToken)).Keys.Select(t => t["tag:".Length..].Split('=')[0]).Distinct()],
        };
        var plan = QuestionParser.Parse(question, context);
        return await RunAsync(plan, session, options, null, await ClipSpaceAsync(session, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Photos that look like a stored one (id, id prefix or ingested path) or like a photo file that need not be
    /// stored, which is embedded here: by the installed CLIP model when the store has its vectors, else the classifier.
    /// </summary>
    /// <exception cref="QuestionException">No such asset, or the asset has no embedding yet.</exception>
    /// <exception cref="MediaException">The file is no photo that can be decoded.</exception>
    public async Task<Answer> SimilarAsync(string assetOrFile, AskOptions options, CancellationToken cancellationToken)
    {
        await using var session = await index.OpenAsync(cancellationToken);
        var clipModel = await ClipSpaceAsync(session, cancellationToken);
        float[]? embedding = null;
        if (File.Exists(assetOrFile))
        {
            var content = await File.ReadAllBytesAsync(assetOrFile, cancellationToken);
            embedding = clipModel is not null
                ? (await clipModel.EmbedImagesAsync([photos.DecodeViews(content, [clipModel.View])[0]], cancellationToken))[0]
                : (await (await models.GetAsync(cancellationToken)).Classifier.ClassifyAsync([photos.DecodeViews(content, [ViewSize.Shorter(ImageClassifier.Resize)])[0]], cancellationToken))[0].Embedding;
        }
        var plan = new QueryPlan { Question = $"photos like {assetOrFile}", SimilarTo = assetOrFile };
        return await RunAsync(plan, session, options, embedding, clipModel, cancellationToken);
    }

    private async Task<Answer> RunAsync(
        QueryPlan plan, ISearchSession session, AskOptions options, float[]? looksLike, ClipModel? clipModel, CancellationToken cancellationToken)
    {
        var notes = plan.Ignored.Select(w => $"\"{w}\" was not understood and was left out").ToList();
        var run = new PlanRun(session, assets, models, vectors, notes) { Clip = clipModel, ClipThreshold = (float)clipOptions.Value.MatchThreshold };
        var signals = await SignalsAsync(plan, run, session, looksLike, cancellationToken);
        if (signals.Count == 0)
        {
            notes.Add(plan.IsEmpty
                ? "nothing in the question names a thing, text, time, place, tag or quality to look for"
                : "nothing the question names is known to the store");
            return new Answer(plan, 0, [], notes);
        }
        var candidates = await CandidatesAsync(signals, session, cancellationToken);
        if (candidates.Length == 0)
        {
            notes.Add("no photo matches every condition");
        }
        var top = Rank(candidates, signals, Math.Max(0, options.Limit));
        var needsEnrichment = plan.Things.Count > 0 || plan.Texts.Count > 0 || plan.Quality.Count > 0;
        return new Answer(plan, candidates.Length, await ExplainAsync(top, signals, session, needsEnrichment, cancellationToken), notes);
    }

    /// <summary>
    /// One signal per condition: the index conditions first, then the vector scans (meaning, looks) over what those
    /// left, all photos when none of them filters.
    /// </summary>
    private static async Task<List<Signal>> SignalsAsync(QueryPlan plan, PlanRun run, ISearchSession session, float[]? looksLike, CancellationToken cancellationToken)
    {
        var signals = new List<Signal>();
        var byMeaning = new List<ThingTerm>();
        foreach (var thing in plan.Things)
        {
            if (await run.ThingAsync(thing, cancellationToken) is { } named)
            {
                signals.Add(named);
            }
            else
            {
                byMeaning.Add(thing);
            }
        }
        // A word no label names ranks the photos; it filters only when nothing else in the question names a thing.
        var namesThing = signals.Any(s => !s.Excludes);
        foreach (var text in plan.Texts)
        {
            signals.Add(await run.TextAsync(text, cancellationToken));
        }
        foreach (var quality in plan.Quality)
        {
            signals.Add(await run.TermAsync($"quality:{quality.Flag}", quality.Negated, $"quality {quality.Flag}", (_, e) => QualityEvidence(quality, e), cancellationToken));
        }
        foreach (var tag in plan.Tags)
        {
            signals.Add(await run.TermAsync($"tag:{tag.Key}={tag.Value}", tag.Negated, $"tag {tag.Key}={tag.Value}",
                (_, _) => [new Evidence("tag", $"{tag.Key}={tag.Value}")], cancellationToken));
        }
        if (plan.Collection is { } collection)
        {
            signals.Add(await run.TermAsync($"collection:{collection.ToLowerInvariant()}", false, $"collection {collection}",
                (a, _) => [new Evidence("collection", a.Collection)], cancellationToken));
        }
        if (plan.Time is { } range)
        {
            signals.Add(new Signal($"taken {range.Phrase}", await session.TakenBetweenAsync(range.From, range.To, cancellationToken))
            {
                Explain = (a, _) => [new Evidence("time", $"taken {a.TakenAt:yyyy-MM-dd HH:mm}")],
            });
        }
        if (plan.Near is { } near)
        {
            signals.Add(await run.NearAsync(near, cancellationToken));
        }

        var narrowed = Narrow(signals);
        foreach (var thing in byMeaning)
        {
            if (await run.ByMeaningAsync(thing, !namesThing, narrowed, cancellationToken) is { } meaning)
            {
                signals.Add(meaning);
            }
        }
        if (plan.SimilarTo is { } similar)
        {
            signals.Add(await run.SimilarAsync(similar, looksLike, narrowed, cancellationToken));
        }
        return signals;
    }

    /// <summary>The results in rank order, each with the evidence of every signal that kept or ranked it.</summary>
    private async Task<List<AskResult>> ExplainAsync(
        List<(long Key, double Score)> top, List<Signal> signals, ISearchSession session, bool needsEnrichment, CancellationToken cancellationToken)
    {
        var summaries = (await session.DescribeAsync(top.Select(t => t.Key).ToList(), cancellationToken)).ToDictionary(s => s.Key);
        var results = new List<AskResult>(top.Count);
        foreach (var (key, score) in top.Where(t => summaries.ContainsKey(t.Key)))
        {
            var summary = summaries[key];
            var enrichment = needsEnrichment ? await enrichments.GetAsync(summary.Id, cancellationToken) : null;
            var evidence = signals.Where(s => !s.Excludes).SelectMany(s => s.Explain(summary, enrichment)).ToList();
            results.Add(new AskResult(summary.Id.ToString(), summary.Collection, summary.Path, Math.Round(score, 5), evidence));
        }
        return results;
    }

    private static async Task<long[]> CandidatesAsync(List<Signal> signals, ISearchSession session, CancellationToken cancellationToken)
    {
        var candidates = Narrow(signals) ?? await session.AllAsync(cancellationToken);
        foreach (var signal in signals.Where(s => s.Excludes))
        {
            candidates = SortedKeys.Except(candidates, signal.Keys);
        }
        return candidates;
    }

    /// <summary>What every keeping signal keeps, smallest first; null when no signal keeps (everything).</summary>
    private static long[]? Narrow(List<Signal> signals)
    {
        var keeping = signals.Where(s => !s.Excludes && !s.RanksOnly).OrderBy(s => s.Keys.Length).ToList();
        return keeping.Count == 0 ? null : keeping.Skip(1).Aggregate(keeping[0].Keys, (keys, signal) => SortedKeys.Intersect(keys, signal.Keys));
    }

    /// <summary>
    /// The best <paramref name="limit"/> candidates by reciprocal-rank fusion of every ranking signal (one signal: its
    /// own order); newest first when none ranks.
    /// </summary>
    private static List<(long Key, double Score)> Rank(long[] candidates, List<Signal> signals, int limit)
    {
        var ranking = signals.Where(s => s.Ranks && !s.Excludes).ToList();
        var fused = new double[candidates.Length];
        var scores = new float[candidates.Length];
        var order = new int[candidates.Length];
        foreach (var signal in ranking)
        {
            signal.ScoresFor(candidates, scores);
            for (var i = 0; i < candidates.Length; i++)
            {
                scores[i] = -scores[i];
                order[i] = i;
            }
            Array.Sort(scores, order);
            for (var rank = 0; rank < order.Length; rank++)
            {
                fused[order[rank]] += float.IsFinite(scores[rank]) ? 1.0 / (RankConstant + rank + 1) : 0;
            }
        }
        if (ranking.Count == 0)
        {
            // Keys grow with ingest: the newest photos have the largest.
            return [.. candidates.Reverse().Take(limit).Select((key, rank) => (key, 1.0 / (RankConstant + rank + 1)))];
        }
        // The best few without sorting them all: a min-heap of the top limit, by score then by newest.
        var top = new PriorityQueue<int, (double Score, long Key)>(limit + 1);
        for (var i = 0; i < candidates.Length && limit > 0; i++)
        {
            top.Enqueue(i, (fused[i], candidates[i]));
            if (top.Count > limit)
            {
                top.Dequeue();
            }
        }
        var best = new List<(long Key, double Score)>(top.Count);
        while (top.TryDequeue(out var i, out _))
        {
            best.Add((candidates[i], fused[i]));
        }
        best.Reverse();
        return best;
    }

    private static IEnumerable<Evidence> QualityEvidence(QualityTerm term, AssetEnrichment? enrichment)
    {
        if (enrichment?.Quality is not { } quality)
        {
            return [];
        }
        var measure = term.Flag switch
        {
            "blurry" => $"sharpness {quality.Sharpness:0.#}",
            "dark" => $"brightness {quality.Brightness:0.###}",
            "overexposed" => $"clipped {quality.ClippedShare:P1}",
            _ => $"{quality.Megapixels:0.##} MP",
        };
        return [new Evidence("quality", $"{(term.Negated ? "not " : "")}{term.Flag} ({measure})")];
    }
}
