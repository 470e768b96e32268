using System.Numerics.Tensors;
using Tsunami.Core.Assets;
using Tsunami.Core.Enrichment;
using Tsunami.Core.Search;
using Tsunami.Core.Storage;
using Tsunami.Inference.Concepts;
using Tsunami.Inference.Vision;
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
public sealed class AskService(ISearchIndex index, IEnrichmentStore enrichments, VisionModels models, VectorCache vectors, TimeProvider time)
{
    private const int RankConstant = 60;

    /// <summary>A word's cosine to a photo in the semantic space from which the word counts as seen there.</summary>
    private const float SemanticThreshold = 0.5f;

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
        return await RunAsync(plan, session, options, cancellationToken);
    }

    private async Task<Answer> RunAsync(QueryPlan plan, ISearchSession session, AskOptions options, CancellationToken cancellationToken)
    {
        var notes = plan.Ignored.Select(w => $"\"{w}\" was not understood and was left out").ToList();
        var run = new PlanRun(session, models, vectors, notes);
        var signals = new List<Signal>();
        var hasExactThing = false;
        foreach (var thing in plan.Things)
        {
            var signal = await run.ThingAsync(thing, cancellationToken);
            hasExactThing |= signal is { RanksOnly: false, Excludes: false };
            if (signal is not null)
            {
                signals.Add(signal);
            }
        }
        // A word no label names ranks the photos; it filters only when nothing else in the question names a thing.
        for (var i = 0; i < signals.Count; i++)
        {
            if (signals[i].RanksOnly && !hasExactThing && !signals[i].Excludes)
            {
                signals[i] = run.SemanticFilter(signals[i], SemanticThreshold);
            }
        }
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
        if (plan.SimilarTo is { } similar)
        {
            signals.Add(await run.SimilarAsync(similar, cancellationToken));
        }

        if (signals.Count == 0)
        {
            notes.Add(plan.IsEmpty && plan.Things.Count == 0
                ? "nothing in the question names a thing, text, time, place, tag or quality to look for"
                : "nothing the question names is known to the store");
            return new Answer(plan, 0, [], notes);
        }

        var candidates = await CandidatesAsync(signals, session, cancellationToken);
        var ranked = Rank(candidates, signals);
        var top = ranked.Take(Math.Max(0, options.Limit)).ToList();
        var summaries = await session.DescribeAsync(top.Select(t => t.Key).ToList(), cancellationToken);
        var needsEnrichment = plan.Things.Count > 0 || plan.Texts.Count > 0 || plan.Quality.Count > 0;
        var results = new List<AskResult>();
        foreach (var (summary, score) in summaries.Zip(top, (s, t) => (s, t.Score)))
        {
            var enrichment = needsEnrichment ? await enrichments.GetAsync(summary.Id, cancellationToken) : null;
            var evidence = signals.Where(s => !s.Excludes).SelectMany(s => s.Explain(summary, enrichment)).ToList();
            results.Add(new AskResult(summary.Id.ToString(), summary.Collection, summary.Path, Math.Round(score, 5), evidence));
        }
        if (candidates.Length == 0)
        {
            notes.Add("no photo matches every condition");
        }
        return new Answer(plan, candidates.Length, results, notes);
    }

    private static async Task<long[]> CandidatesAsync(List<Signal> signals, ISearchSession session, CancellationToken cancellationToken)
    {
        var keeping = signals.Where(s => !s.Excludes && !s.RanksOnly).OrderBy(s => s.Keys.Length).ToList();
        var candidates = keeping.Count > 0 ? keeping[0].Keys : await session.AllAsync(cancellationToken);
        foreach (var signal in keeping.Skip(1))
        {
            candidates = SortedKeys.Intersect(candidates, signal.Keys);
        }
        foreach (var signal in signals.Where(s => s.Excludes))
        {
            candidates = SortedKeys.Except(candidates, signal.Keys);
        }
        return candidates;
    }

    /// <summary>Reciprocal-rank fusion of every ranking signal over the candidates; newest first when none ranks.</summary>
    private static List<(long Key, double Score)> Rank(long[] candidates, List<Signal> signals)
    {
        var ranking = signals.Where(s => s.Ranks && !s.Excludes).ToList();
        if (ranking.Count == 0)
        {
            return candidates.Reverse().Select((key, rank) => (key, 1.0 / (RankConstant + rank + 1))).ToList();
        }
        var fused = new double[candidates.Length];
        var scores = new float[candidates.Length];
        var order = new int[candidates.Length];
        foreach (var signal in ranking)
        {
            for (var i = 0; i < candidates.Length; i++)
            {
                scores[i] = -signal.ScoreOf(candidates[i]);
                order[i] = i;
            }
            Array.Sort(scores, order);
            for (var rank = 0; rank < order.Length; rank++)
            {
                fused[order[rank]] += float.IsFinite(scores[rank]) ? 1.0 / (RankConstant + rank + 1) : 0;
            }
        }
        return candidates.Select((key, i) => (key, fused[i])).OrderByDescending(r => r.Item2).ThenByDescending(r => r.key).ToList();
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

    /// <summary>Runs the conditions of one plan against one session.</summary>
    private sealed class PlanRun(ISearchSession session, VisionModels models, VectorCache vectors, List<string> notes)
    {
        public async Task<Signal> TermAsync(
            string term, bool negated, string name, Func<AssetSummary, AssetEnrichment?, IEnumerable<Evidence>> explain, CancellationToken cancellationToken)
        {
            var posting = await session.TermAsync(term, cancellationToken);
            if (posting.Keys.Length == 0 && !negated)
            {
                notes.Add($"no photo has {name}");
            }
            return new Signal(name, posting.Keys) { Excludes = negated, Explain = explain };
        }

        public async Task<Signal?> ThingAsync(ThingTerm thing, CancellationToken cancellationToken)
        {
            var singular = ThingResolver.Singular(thing.Phrase);
            var objectLabels = ThingResolver.ObjectLabels(singular);
            var objectPostings = new List<(string Label, Posting Posting)>();
            foreach (var label in objectLabels)
            {
                objectPostings.Add((label, await session.TermAsync($"object:{label}", cancellationToken)));
            }
            var named = new List<(string Kind, Posting Posting)>();
            if (thing.Count is { } count)
            {
                if (objectLabels.Count == 0)
                {
                    notes.Add($"\"{thing.Phrase}\" cannot be counted: only the object detector's things can (COCO labels); looked for it without the count");
                }
                else
                {
                    return Counted(thing, count, objectPostings, objectLabels);
                }
            }
            var postings = objectPostings.Select(p => p.Posting).ToList();
            foreach (var kind in new[] { "label", "concept" })
            {
                var posting = await session.TermAsync($"{kind}:{singular}", cancellationToken);
                postings.Add(posting);
                if (posting.Keys.Length > 0)
                {
                    named.Add((kind, posting));
                }
            }
            var (keys, scores) = Merge(postings);
            if (keys.Length > 0)
            {
                return new Signal(thing.Phrase, keys, thing.Negated ? null : scores)
                {
                    Excludes = thing.Negated,
                    Explain = (_, e) => ThingEvidence(singular, objectLabels, e),
                };
            }
            return await SemanticAsync(thing, cancellationToken);
        }

        /// <summary>Keeps the ranking signal's assets at or above <paramref name="threshold"/> as a filter.</summary>
        public Signal SemanticFilter(Signal signal, float threshold)
        {
            var kept = Enumerable.Range(0, signal.Keys.Length).Where(i => signal.Scores![i] >= threshold).ToList();
            return signal with { Keys = [.. kept.Select(i => signal.Keys[i])], Scores = [.. kept.Select(i => signal.Scores![i])], RanksOnly = false };
        }

        public async Task<Signal> TextAsync(TextTerm term, CancellationToken cancellationToken)
        {
            var words = TextMatcher.Words(term.Text);
            var best = new Dictionary<long, (double Score, int Line, string Text)>();
            var hits = new List<TextHit>();
            if (words.Length > 0)
            {
                hits.AddRange(await session.MatchTextAsync(TextMatcher.WordsQuery(words), trigrams: false, limit: 10_000, cancellationToken));
                if (TextMatcher.TrigramQuery(words) is { } grams)
                {
                    hits.AddRange(await session.MatchTextAsync(grams, trigrams: true, limit: 10_000, cancellationToken));
                }
            }
            foreach (var hit in hits)
            {
                var similarity = TextMatcher.Similarity(words, hit.Text);
                if (similarity > 0 && (!best.TryGetValue(hit.Key, out var known) || known.Score < similarity))
                {
                    best[hit.Key] = (similarity, hit.Line, hit.Text);
                }
            }
            var keys = best.Keys.Order().ToArray();
            if (keys.Length == 0 && !term.Negated)
            {
                notes.Add($"no photo shows the text \"{term.Text}\"");
            }
            return new Signal($"text \"{term.Text}\"", keys, term.Negated ? null : [.. keys.Select(k => (float)best[k].Score)])
            {
                Excludes = term.Negated,
                Explain = (a, e) =>
                {
                    var (score, line, text) = best[a.Key];
                    var quad = e?.Text is { } lines && line < lines.Count ? lines[line].Quad : null;
                    return [new Evidence("text", text, Math.Round(score, 3), quad is null ? null : QuadBox(quad))];
                },
            };
        }

        public async Task<Signal> NearAsync(GeoCircle near, CancellationToken cancellationToken)
        {
            var latitudeSpan = near.RadiusKm / 111.2;
            var longitudeSpan = near.RadiusKm / (111.2 * Math.Max(0.01, Math.Cos(near.Latitude * Math.PI / 180)));
            var located = await session.LocatedWithinAsync(
                new GeoPoint(near.Latitude - latitudeSpan, near.Longitude - longitudeSpan),
                new GeoPoint(near.Latitude + latitudeSpan, near.Longitude + longitudeSpan), cancellationToken);
            var within = located.Select(l => (l.Key, Distance: Haversine(near, l.Location)))
                .Where(l => l.Distance <= near.RadiusKm).OrderBy(l => l.Key).ToList();
            var distances = within.ToDictionary(w => w.Key, w => w.Distance);
            return new Signal($"near {near}", [.. within.Select(w => w.Key)], [.. within.Select(w => (float)-w.Distance)])
            {
                Explain = (a, _) => [new Evidence("place", FormattableString.Invariant($"{distances[a.Key]:0.###} km from {near.Latitude},{near.Longitude}"))],
            };
        }

        public async Task<Signal> SimilarAsync(string idOrPrefix, CancellationToken cancellationToken)
        {
            var key = await session.KeyOfAsync(idOrPrefix, cancellationToken)
                ?? throw new QuestionException($"no single asset has the id or id prefix \"{idOrPrefix}\"");
            var visual = await vectors.GetAsync(session, "visual", cancellationToken);
            var row = Array.BinarySearch(visual.Keys, key);
            if (row < 0)
            {
                throw new QuestionException($"asset {idOrPrefix} has no visual embedding yet (run tsunami enrich --stage labels)");
            }
            var query = visual.Row(row).ToArray();
            var (keys, scores) = Similarities(visual, query, exclude: key);
            return new Signal($"like {idOrPrefix}", keys, scores)
            {
                Explain = (a, _) => [new Evidence("similar", $"looks like {idOrPrefix}", Math.Round(scores[Array.BinarySearch(keys, a.Key)], 3))],
            };
        }

        private async Task<Signal?> SemanticAsync(ThingTerm thing, CancellationToken cancellationToken)
        {
            var space = (await models.GetAsync(cancellationToken)).Semantic;
            var query = space.EmbedQuery(thing.Phrase) ?? space.EmbedQuery(ThingResolver.Singular(thing.Phrase));
            if (query is null)
            {
                notes.Add($"\"{thing.Phrase}\" is not a word any model knows; left out");
                return null;
            }
            var semantic = await vectors.GetAsync(session, SemanticSpace.Name, cancellationToken);
            var (keys, scores) = Similarities(semantic, query, exclude: null);
            notes.Add($"\"{thing.Phrase}\" is no label of the models: matched by meaning (semantic space)");
            var signal = new Signal($"\"{thing.Phrase}\" by meaning", keys, scores)
            {
                RanksOnly = true,
                Explain = (a, _) => Array.BinarySearch(keys, a.Key) is var i and >= 0
                    ? [new Evidence("semantic", $"close in meaning to \"{thing.Phrase}\"", Math.Round(scores[i], 3))]
                    : [],
            };
            return thing.Negated ? SemanticFilter(signal, SemanticThreshold) with { Excludes = true, Scores = null } : signal;
        }

        private static Signal Counted(ThingTerm thing, CountRange count, List<(string Label, Posting Posting)> postings, IReadOnlyList<string> labels)
        {
            var totals = new Dictionary<long, int>();
            foreach (var (_, posting) in postings)
            {
                for (var i = 0; i < posting.Keys.Length; i++)
                {
                    totals[posting.Keys[i]] = totals.GetValueOrDefault(posting.Keys[i]) + posting.Counts[i];
                }
            }
            var keys = totals.Where(t => count.Contains(t.Value)).Select(t => t.Key).Order().ToArray();
            return new Signal($"{thing.Phrase} {count}", keys, thing.Negated ? null : [.. keys.Select(k => (float)totals[k])])
            {
                Excludes = thing.Negated,
                Explain = (a, e) =>
                [
                    new Evidence("count", $"{totals[a.Key]} × {string.Join("/", labels)}"),
                    .. ThingEvidence(labels[0], labels, e),
                ],
            };
        }

        private static IEnumerable<Evidence> ThingEvidence(string singular, IReadOnlyList<string> objectLabels, AssetEnrichment? enrichment)
        {
            if (enrichment is null)
            {
                yield break;
            }
            foreach (var found in enrichment.Objects?.Where(o => objectLabels.Contains(o.Label, StringComparer.Ordinal)) ?? [])
            {
                yield return new Evidence("object", found.Label, Math.Round(found.Score, 3), found.Box);
            }
            foreach (var label in enrichment.Labels?.Where(l => string.Equals(l.Name, singular, StringComparison.OrdinalIgnoreCase)) ?? [])
            {
                yield return new Evidence("label", label.Name, Math.Round(label.Score, 3));
            }
            foreach (var concept in enrichment.Concepts?.Where(c => string.Equals(c.Name, singular, StringComparison.OrdinalIgnoreCase)) ?? [])
            {
                yield return new Evidence("concept", concept.Name, Math.Round(concept.Score, 3));
            }
        }

        /// <summary>The union of postings, each key with its best score.</summary>
        private static (long[] Keys, float[] Scores) Merge(List<Posting> postings)
        {
            var best = new Dictionary<long, float>();
            foreach (var posting in postings)
            {
                for (var i = 0; i < posting.Keys.Length; i++)
                {
                    best[posting.Keys[i]] = Math.Max(best.GetValueOrDefault(posting.Keys[i], float.MinValue), posting.Scores[i]);
                }
            }
            var keys = best.Keys.Order().ToArray();
            return (keys, [.. keys.Select(k => best[k])]);
        }

        private static (long[] Keys, float[] Scores) Similarities(VectorSet set, float[] query, long? exclude)
        {
            var keys = new List<long>(set.Keys.Length);
            var scores = new List<float>(set.Keys.Length);
            for (var i = 0; i < set.Keys.Length; i++)
            {
                if (set.Keys[i] != exclude && set.Dimensions == query.Length)
                {
                    keys.Add(set.Keys[i]);
                    scores.Add(TensorPrimitives.Dot(set.Row(i), query));
                }
            }
            return ([.. keys], [.. scores]);
        }

        private static Box QuadBox(float[] quad)
        {
            var xs = new[] { quad[0], quad[2], quad[4], quad[6] };
            var ys = new[] { quad[1], quad[3], quad[5], quad[7] };
            return new Box(xs.Min(), ys.Min(), xs.Max() - xs.Min(), ys.Max() - ys.Min());
        }

        private static double Haversine(GeoCircle from, GeoPoint to)
        {
            static double Radians(double degrees) => degrees * Math.PI / 180;
            var dLat = Radians(to.Latitude - from.Latitude);
            var dLon = Radians(to.Longitude - from.Longitude);
            var a = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2)) +
                (Math.Cos(Radians(from.Latitude)) * Math.Cos(Radians(to.Latitude)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2));
            return 6371.0 * 2 * Math.Atan2(Math.Sqrt(a), Math.Sqrt(1 - a));
        }
    }
}
