using System.Numerics.Tensors;
using Tsunami.Core.Assets;
using Tsunami.Core.Enrichment;
using Tsunami.Core.Search;
using Tsunami.Core.Storage;
using Tsunami.Engine.Clip;
using Tsunami.Inference.Concepts;
using Tsunami.Inference.Vision;
using Tsunami.Query.Parsing;
using Tsunami.Query.Plan;

namespace Tsunami.Engine.Ask;

/// <summary>Runs the conditions of one plan against one session.</summary>
internal sealed class PlanRun(ISearchSession session, IAssetStore assets, VisionModels models, VectorCache vectors, List<string> notes)
{
    private const int NoisyCandidates = 10_000;

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

    /// <summary>The thing as the models name it (objects, labels, concepts), or null when no photo has it by name.</summary>
    public async Task<Signal?> ThingAsync(ThingTerm thing, CancellationToken cancellationToken)
    {
        var singular = ThingResolver.Singular(thing.Phrase);
        var objectLabels = ThingResolver.ObjectLabels(singular);
        var objectPostings = new List<(string Label, Posting Posting)>();
        foreach (var label in objectLabels)
        {
            objectPostings.Add((label, await session.TermAsync($"object:{label}", cancellationToken)));
        }
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
            postings.Add(await session.TermAsync($"{kind}:{singular}", cancellationToken));
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
        return null;
    }

    /// <summary>Keeps the ranking signal's assets at or above <paramref name="threshold"/> as a filter.</summary>
    private static Signal SemanticFilter(Signal signal, float threshold)
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
            // Every exact reading; the best-ranked noisy candidates (bm25 over shared trigrams) up to a bound.
            hits.AddRange(await session.MatchTextAsync(TextMatcher.WordsQuery(words), trigrams: false, limit: int.MaxValue, cancellationToken));
            if (TextMatcher.TrigramQuery(words) is { } grams)
            {
                hits.AddRange(await session.MatchTextAsync(grams, trigrams: true, limit: NoisyCandidates, cancellationToken));
            }
        }
        foreach (var hit in hits.DistinctBy(h => (h.Key, h.Line)))
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
                var bounds = e?.Text is { } lines && line < lines.Count ? lines[line].Bounds : (Box?)null;
                return [new Evidence("text", text, Math.Round(score, 3), bounds)];
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
        var centre = new GeoPoint(near.Latitude, near.Longitude);
        var within = located.Select(l => (l.Key, Distance: centre.DistanceKm(l.Location)))
            .Where(l => l.Distance <= near.RadiusKm).OrderBy(l => l.Key).ToList();
        var distances = within.ToDictionary(w => w.Key, w => w.Distance);
        return new Signal($"near {near}", [.. within.Select(w => w.Key)], [.. within.Select(w => (float)-w.Distance)])
        {
            Explain = (a, _) => [new Evidence("place", FormattableString.Invariant($"{distances[a.Key]:0.###} km from {near.Latitude},{near.Longitude}"))],
        };
    }

    /// <summary>
    /// Visual similarity to a stored photo (id, id prefix or the path it was ingested from), or to
    /// <paramref name="embedding"/> when given, over <paramref name="within"/> (null: every photo).
    /// </summary>
    public async Task<Signal> SimilarAsync(string reference, float[]? embedding, long[]? within, CancellationToken cancellationToken)
    {
        // With a CLIP model's vectors stored, photos are compared in its space; else by the classifier's features.
        var (space, stage, by) = Clip is null ? (VectorSpaceNames.Visual, EnrichmentStage.Labels, "") : (VectorSpaceNames.Clip, EnrichmentStage.Clip, " (CLIP)");
        var visual = await vectors.GetAsync(session, space, cancellationToken);
        long? itself = null;
        if (embedding is null)
        {
            var asset = await assets.FindAssetAsync(reference, cancellationToken)
                ?? throw new QuestionException($"no asset has the id, id prefix or path \"{reference}\"");
            itself = await session.KeyOfAsync(asset.Id, cancellationToken);
            var row = Array.BinarySearch(visual.Set.Keys, itself.Value);
            embedding = row >= 0 ? visual.Set.Row(row).ToArray()
                : throw new QuestionException($"asset {reference} has no {space} embedding yet (run tsunami enrich --stage {stage})");
        }
        var (keys, scores) = visual.Similarities(embedding, exclude: itself, within);
        NoteApproximate(visual, $"{space} space");
        return new Signal($"like {reference}", keys, scores)
        {
            Explain = (a, _) => [new Evidence("similar", $"looks like {reference}{by}", Math.Round(scores[Array.BinarySearch(keys, a.Key)], 3))],
        };
    }

    /// <summary>
    /// The thing by meaning — in the installed CLIP model's space when the photos have its vectors, else in the GloVe
    /// semantic space — over <paramref name="within"/> (null: every photo): it ranks, or, when <paramref name="filters"/>,
    /// keeps the photos at the space's threshold (<see cref="ClipThreshold"/>, <see cref="AskService.SemanticThreshold"/>).
    /// </summary>
    public async Task<Signal?> ByMeaningAsync(ThingTerm thing, bool filters, long[]? within, CancellationToken cancellationToken)
    {
        if ((Clip is { } clip ? await InClipSpaceAsync(clip, thing, cancellationToken) : await InSemanticSpaceAsync(thing, cancellationToken)) is not { } meaning)
        {
            return null;
        }
        var (keys, scores) = meaning.Vectors.Similarities(meaning.Query, exclude: null, within);
        NoteApproximate(meaning.Vectors, meaning.Space);
        notes.Add($"\"{thing.Phrase}\" is no label of the models: matched by meaning ({meaning.Space})");
        var signal = new Signal($"\"{thing.Phrase}\" by meaning", keys, scores)
        {
            RanksOnly = true,
            Explain = (a, _) => Array.BinarySearch(keys, a.Key) is var i and >= 0
                ? [new Evidence(meaning.Kind, meaning.Evidence, Math.Round(scores[i], 3))]
                : [],
        };
        return thing.Negated ? SemanticFilter(signal, meaning.Threshold) with { Excludes = true, Scores = null }
            : filters ? SemanticFilter(signal, meaning.Threshold) : signal;
    }

    /// <summary>The installed CLIP model, when the stored photos have its vectors: it matches things by meaning.</summary>
    public ClipModel? Clip { get; init; }

    public float ClipThreshold { get; init; }

    /// <summary>A thing's query vector, the photos' vectors of the same space, and how to explain and filter a match.</summary>
    private sealed record Meaning(IndexedVectors Vectors, float[] Query, string Space, string Kind, string Evidence, float Threshold);

    private async Task<Meaning?> InSemanticSpaceAsync(ThingTerm thing, CancellationToken cancellationToken)
    {
        var space = (await models.GetAsync(cancellationToken)).Semantic;
        var query = space.EmbedQuery(thing.Phrase) ?? space.EmbedQuery(ThingResolver.Singular(thing.Phrase));
        if (query is null)
        {
            notes.Add($"\"{thing.Phrase}\" is not a word any model knows; left out");
            return null;
        }
        return new Meaning(await vectors.GetAsync(session, VectorSpaceNames.Semantic, cancellationToken), query, "semantic space",
            "semantic", $"close in meaning to \"{thing.Phrase}\"", AskService.SemanticThreshold);
    }

    /// <summary>"a photo of {thing}" in the CLIP model's space, against every photo's vector.</summary>
    private async Task<Meaning?> InClipSpaceAsync(ClipModel clip, ThingTerm thing, CancellationToken cancellationToken)
    {
        var query = await clip.EmbedThingAsync(thing.Phrase, cancellationToken);
        var space = await vectors.GetAsync(session, VectorSpaceNames.Clip, cancellationToken);
        if (space.Dimensions != query.Length)
        {
            notes.Add($"\"{thing.Phrase}\": the stored CLIP vectors come from another model; run 'tsunami enrich --stage clip'");
            return null;
        }
        return new Meaning(space, query, $"CLIP {clip.Folder.Name}", "clip", $"looks like \"{thing.Phrase}\" to CLIP", ClipThreshold);
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
        long[] keys = [.. postings.SelectMany(p => p.Keys)];
        float[] scores = [.. postings.SelectMany(p => p.Scores)];
        Array.Sort(keys, scores);
        var count = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            if (count > 0 && keys[count - 1] == keys[i])
            {
                scores[count - 1] = Math.Max(scores[count - 1], scores[i]);
                continue;
            }
            keys[count] = keys[i];
            scores[count++] = scores[i];
        }
        return (keys[..count], scores[..count]);
    }

    private void NoteApproximate(IndexedVectors vectors, string space)
    {
        if (vectors.Method != "exact")
        {
            notes.Add($"the {space} ({vectors.Set.Keys.Length:N0} vectors) was searched by its {vectors.Method} index: the nearest ones only");
        }
    }
}
